package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strings"
)

// FormErrors maps a field's name to the message shown next to it, in Vietnamese, saying what to
// do ("Nhập họ và tên"), not what went wrong inside the program.
type FormErrors map[string]string

// Add records the message for a field, keeping the first one: the first problem is the one to fix.
func (e FormErrors) Add(field, message string) {
	if _, ok := e[field]; !ok {
		e[field] = message
	}
}

// Any reports whether some field has an error.
func (e FormErrors) Any() bool { return len(e) > 0 }

// Form is what a page shows back in its fields: the values the person typed (so nothing is lost
// when the form comes back with errors) and the error for each field. A nil *Form is an empty form.
type Form struct {
	Values url.Values
	Errors FormErrors
}

// NewForm starts a form from submitted values (c.Request.PostForm) or nil for a blank one.
func NewForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values, Errors: FormErrors{}}
}

// Set fills a field, e.g. from a stored record on an edit page; it returns the form for chaining.
func (f *Form) Set(field, value string) *Form {
	if f.Values == nil {
		f.Values = url.Values{}
	}
	f.Values.Set(field, value)
	return f
}

func (f *Form) value(field string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(field)
}

func (f *Form) errorFor(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// Option is one choice of a select field.
type Option struct {
	Value string
	Label string
}

// fieldView is what the field templates in templates/fields.html receive.
type fieldView struct {
	ID, Name, Label, Value, Error, Hint string
	Type, Autocomplete, InputMode       string
	Required                            bool
	Rows                                int
	Options                             []Option
}

// DescribedBy joins the ids of the hint and the error, so a screen reader reads both with the input.
func (f fieldView) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// fieldID turns a field name such as "items[0].qty" into an id usable in an href fragment.
func fieldID(name string) string {
	var b strings.Builder
	b.WriteString("f-")
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// newFieldView reads options written in templates as "key=value" or bare flags:
// "type=email", "required", "hint=Ví dụ: 0912 345 678", "autocomplete=name", "inputmode=numeric",
// "rows=5". Strings keep templates short and readable, which matters more here than types.
func newFieldView(f *Form, name, label string, opts []string) (fieldView, error) {
	v := fieldView{ID: fieldID(name), Name: name, Label: label, Type: "text",
		Value: f.value(name), Error: f.errorFor(name), Rows: 4}
	for _, o := range opts {
		key, val, _ := strings.Cut(o, "=")
		switch key {
		case "type":
			v.Type = val
		case "required":
			v.Required = true
		case "hint":
			v.Hint = val
		case "autocomplete":
			v.Autocomplete = val
		case "inputmode":
			v.InputMode = val
		case "rows":
			if _, err := fmt.Sscan(val, &v.Rows); err != nil {
				return v, fmt.Errorf("web: field %s: rows=%q is not a number", name, val)
			}
		default:
			return v, fmt.Errorf("web: field %s: unknown option %q", name, o)
		}
	}
	return v, nil
}

// formFuncs are the template funcs for forms. They render through html/template (fields.html),
// never by concatenating strings, so a value typed by a citizen is always escaped.
func formFuncs(fields *template.Template) template.FuncMap {
	exec := func(name string, data any) (template.HTML, error) {
		var buf bytes.Buffer
		if err := fields.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return template.HTML(buf.String()), nil
	}
	return template.FuncMap{
		// field renders label, hint, input and error: {{field .Form "full_name" "Họ và tên" "required"}}
		"field": func(f *Form, name, label string, opts ...string) (template.HTML, error) {
			v, err := newFieldView(f, name, label, opts)
			if err != nil {
				return "", err
			}
			return exec("web/input", v)
		},
		"textarea": func(f *Form, name, label string, opts ...string) (template.HTML, error) {
			v, err := newFieldView(f, name, label, opts)
			if err != nil {
				return "", err
			}
			return exec("web/textarea", v)
		},
		"selectField": func(f *Form, name, label string, options []Option, opts ...string) (template.HTML, error) {
			v, err := newFieldView(f, name, label, opts)
			if err != nil {
				return "", err
			}
			v.Options = options
			return exec("web/select", v)
		},
		// fieldError and fieldAttrs serve hand-written controls (radios, file inputs) that still
		// need the same id, error text and aria wiring as the helpers above.
		"fieldError": func(f *Form, name string) (template.HTML, error) {
			return exec("web/error", fieldView{ID: fieldID(name), Error: f.errorFor(name)})
		},
		"fieldAttrs": func(f *Form, name string) (template.HTMLAttr, error) {
			v := fieldView{ID: fieldID(name), Name: name, Error: f.errorFor(name)}
			h, err := exec("web/attrs", v)
			return template.HTMLAttr(h), err
		},
		"errorSummary": func(f *Form) (template.HTML, error) {
			if f == nil || !f.Errors.Any() {
				return "", nil
			}
			return exec("web/summary", summaryItems(f.Errors))
		},
	}
}

type summaryItem struct{ ID, Message string }

// summaryItems lists errors by field name: the map has no order, and a stable order keeps the
// summary from jumping about between submissions.
func summaryItems(errs FormErrors) []summaryItem {
	names := make([]string, 0, len(errs))
	for n := range errs {
		names = append(names, n)
	}
	sort.Strings(names)
	items := make([]summaryItem, len(names))
	for i, n := range names {
		items[i] = summaryItem{ID: fieldID(n), Message: errs[n]}
	}
	return items
}
