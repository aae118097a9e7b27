// Package config owns how a service reads its typed configuration from the environment: one
// struct per service (embedding Common), parsed with caarlos0/env, defaulted, validated at start,
// with every problem reported at once by variable name and no secret value ever printed. main
// calls MustLoad and the process stops with exit code 2 on bad configuration, before it touches
// any dependency.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/caarlos0/env/v11"

	"egov.vn/platform/libs/redact"
)

// Validator is implemented by a config struct that checks rules beyond parsing (formats, ranges,
// combinations). Report each problem with Invalid(variable, reason) and join them with
// errors.Join so the operator sees all of them at once.
type Validator interface {
	Validate() error
}

// Defaulter is implemented (on the pointer) by a config struct whose defaults are computed in
// code rather than in an envDefault tag, e.g. a per-service database file. Load calls Defaults
// before reading the environment; an unset variable keeps the value Defaults put there.
type Defaulter interface {
	Defaults()
}

// Option adjusts Load.
type Option func(*options)

type options struct {
	prefix  string
	environ map[string]string
}

// WithPrefix prepends prefix (e.g. "DOSSIERS_") to every variable name.
func WithPrefix(prefix string) Option { return func(o *options) { o.prefix = prefix } }

// WithEnvironment reads variables from env instead of the process environment (tests, tools).
func WithEnvironment(env map[string]string) Option {
	return func(o *options) { o.environ = env }
}

// VarError is one configuration problem tied to one variable.
type VarError struct {
	Var    string
	Reason string
}

func (e *VarError) Error() string {
	if e.Var == "" {
		return e.Reason
	}
	return e.Var + ": " + e.Reason
}

// Invalid reports from Validate that variable breaks a rule. Name the variable as written in its
// env tag (e.g. "HTTP_ADDR"); Load adds the prefix. Never put the variable's value in reason.
func Invalid(variable, reason string) error {
	return &VarError{Var: variable, Reason: reason}
}

// Error lists every configuration problem found by Load.
type Error struct {
	Problems []*VarError
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "invalid configuration: " + strings.Join(parts, "; ")
}

// Unwrap lets errors.As find each *VarError.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// Load builds a T: Defaults (if *T is a Defaulter), then the environment (envDefault, required
// and notEmpty tags honoured), then Validate (if T is a Validator). Any failure is an *Error
// naming each variable at fault, parse and rule problems together.
func Load[T any](opts ...Option) (T, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var cfg T
	if d, ok := any(&cfg).(Defaulter); ok {
		d.Defaults()
	}

	fields := describe(reflect.TypeOf(cfg), o.prefix, nil)
	var problems []*VarError
	err := env.ParseWithOptions(&cfg, env.Options{Prefix: o.prefix, Environment: o.environ})
	if err != nil {
		problems = append(problems, parseProblems(err, fields)...)
	}

	if v, ok := any(cfg).(Validator); ok {
		problems = append(problems, validateProblems(v.Validate(), o.prefix, fields, problems)...)
	} else if v, ok := any(&cfg).(Validator); ok {
		problems = append(problems, validateProblems(v.Validate(), o.prefix, fields, problems)...)
	}

	if len(problems) == 0 {
		return cfg, nil
	}
	scrub(problems, secretValues(reflect.ValueOf(cfg), fields, o.environ))
	var zero T
	return zero, &Error{Problems: problems}
}

// MustLoad is Load for main: on error it prints every problem to stderr and exits with code 2.
func MustLoad[T any](opts ...Option) T {
	cfg, err := Load[T](opts...)
	if err != nil {
		Fatal(err)
	}
	return cfg
}

// Fatal prints err for an operator (one problem per line when it is an *Error) and exits 2, the
// conventional status for a usage or configuration error.
func Fatal(err error) {
	writeReport(os.Stderr, err)
	os.Exit(2)
}

func writeReport(w io.Writer, err error) {
	prog := filepath.Base(os.Args[0])
	var ce *Error
	if !errors.As(err, &ce) {
		_, _ = fmt.Fprintf(w, "%s: %v\n", prog, err)
		return
	}
	_, _ = fmt.Fprintf(w, "%s: invalid configuration (%d problem(s)):\n", prog, len(ce.Problems))
	for _, p := range ce.Problems {
		_, _ = fmt.Fprintf(w, "  - %s\n", p.Error())
	}
}

// field is one environment-backed leaf of a config struct.
type field struct {
	key    string
	name   string
	typ    reflect.Type
	index  []int
	secret bool
}

// describe mirrors caarlos0/env's key rules (Options.Prefix, nested structs, envPrefix) so errors
// that env reports by Go field name can be reported by variable name.
func describe(t reflect.Type, prefix string, index []int) []field {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		key, _, _ := strings.Cut(sf.Tag.Get("env"), ",")
		if key == "-" {
			continue
		}
		idx := append(slices.Clone(index), i)
		if key != "" {
			out = append(out, field{
				key:    prefix + key,
				name:   sf.Name,
				typ:    sf.Type,
				index:  idx,
				secret: sf.Tag.Get("secret") == "true" || secretName(prefix+key),
			})
		}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && key == "" {
			out = append(out, describe(ft, prefix+sf.Tag.Get("envPrefix"), idx)...)
		}
	}
	return out
}

var secretWords = []string{"PASSWORD", "PASSWD", "SECRET", "KEY", "TOKEN", "CREDENTIAL"}

func secretName(key string) bool {
	up := strings.ToUpper(key)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

func parseProblems(err error, fields []field) []*VarError {
	var agg env.AggregateError
	errs := []error{err}
	if errors.As(err, &agg) {
		errs = agg.Errors
	}
	var out []*VarError
	for _, e := range errs {
		var (
			notSet   env.VarIsNotSetError
			empty    env.EmptyVarError
			fileErr  env.LoadFileContentError
			parseErr env.ParseError
		)
		switch {
		case errors.As(e, &notSet):
			out = append(out, &VarError{Var: notSet.Key, Reason: "is required but not set"})
		case errors.As(e, &empty):
			out = append(out, &VarError{Var: empty.Key, Reason: "must not be empty"})
		case errors.As(e, &fileErr):
			out = append(out, &VarError{Var: fileErr.Key, Reason: "names a file that cannot be read: " + fileErr.Err.Error()})
		case errors.As(e, &parseErr):
			out = append(out, parseProblem(parseErr, fields))
		default: // a mistake in the struct's tags, not in the environment
			out = append(out, &VarError{Reason: e.Error()})
		}
	}
	return out
}

// parseProblem names the variable behind a field env could not parse. env reports the Go field
// name only, so two nested fields with the same name and type are both named.
func parseProblem(pe env.ParseError, fields []field) *VarError {
	var keys []string
	secret := false
	for _, f := range fields {
		if f.name == pe.Name && f.typ == pe.Type {
			keys = append(keys, f.key)
			secret = secret || f.secret
		}
	}
	if len(keys) == 0 {
		keys = []string{pe.Name}
	}
	reason := "must be " + expected(pe.Type)
	if !secret {
		// The cause quotes the value, which helps unless the value is a secret.
		reason += " (" + pe.Err.Error() + ")"
	}
	return &VarError{Var: strings.Join(keys, " or "), Reason: reason}
}

func expected(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.String() {
	case "time.Duration":
		return "a duration such as 30s, 5m or 1h"
	case "slog.Level":
		return "a log level: debug, info, warn or error"
	case "url.URL":
		return "a URL"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a comma-separated list of " + expected(t.Elem()) + " values"
	}
	return "a valid " + t.String()
}

// validateProblems flattens Validate's (possibly joined) errors, prefixes variable names, and
// drops complaints about variables that already failed to parse: their zero value is not news.
func validateProblems(err error, prefix string, fields []field, parsed []*VarError) []*VarError {
	failed := map[string]bool{}
	for _, p := range parsed {
		failed[p.Var] = true
	}
	var out []*VarError
	for _, e := range flatten(err) {
		var ve *VarError
		if !errors.As(e, &ve) {
			out = append(out, &VarError{Reason: e.Error()})
			continue
		}
		name := resolve(ve.Var, prefix, fields)
		if !failed[name] {
			out = append(out, &VarError{Var: name, Reason: ve.Reason})
		}
	}
	return out
}

func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// resolve turns the name a Validate method used into the full variable name.
func resolve(name, prefix string, fields []field) string {
	for _, f := range fields {
		if f.key == name {
			return name
		}
	}
	for _, f := range fields {
		if f.key == prefix+name {
			return f.key
		}
	}
	var match []string
	for _, f := range fields {
		if strings.HasSuffix(f.key, "_"+name) {
			match = append(match, f.key)
		}
	}
	if len(match) == 1 {
		return match[0]
	}
	return prefix + name
}

// secretValues gathers the values of secret variables, parsed and raw, so they can be cut out of
// any message (Validate methods are written by people and may quote a value by mistake).
func secretValues(v reflect.Value, fields []field, environ map[string]string) []string {
	var out []string
	for _, f := range fields {
		if !f.secret {
			continue
		}
		raw, ok := environ[f.key]
		if environ == nil {
			raw, ok = os.LookupEnv(f.key)
		}
		if ok {
			out = append(out, raw)
		}
		if fv, err := v.FieldByIndexErr(f.index); err == nil && fv.Kind() == reflect.String {
			out = append(out, fv.String())
		}
	}
	return out
}

// minScrubLen avoids mangling messages by replacing one- or two-letter "secrets" everywhere.
const minScrubLen = 3

func scrub(problems []*VarError, secrets []string) {
	for _, s := range secrets {
		if len(s) < minScrubLen {
			continue
		}
		for _, p := range problems {
			p.Reason = strings.ReplaceAll(p.Reason, s, "[REDACTED]")
		}
	}
}

// Redacted lists cfg's variables and values for a start-up log line, with secret values replaced
// by "[REDACTED]" and passwords inside URLs masked. Pass the same options as to Load.
func Redacted(cfg any, opts ...Option) map[string]string {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	out := map[string]string{}
	for _, f := range describe(v.Type(), o.prefix, nil) {
		fv, err := v.FieldByIndexErr(f.index)
		switch {
		case err != nil:
			continue
		case f.secret:
			out[f.key] = "[REDACTED]"
		default:
			out[f.key] = redact.URLPasswords(fmt.Sprint(fv.Interface()))
		}
	}
	return out
}
