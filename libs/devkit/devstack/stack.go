package devstack

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Options are what egov-dev wires into Run.
type Options struct {
	Root   string  // repository root: holds go.work, bin/ and services/
	Config *Config // already validated
	Listen string  // overrides Config.Listen when not empty
	Out    io.Writer
	Log    *slog.Logger
	// DSN, when set, gives a service's database URL instead of a SQLite file under var (the
	// e2e tier runs the same stack on PostgreSQL).
	DSN func(service string) string
	// Ready, when set, is called once the stack is up and onboarded (or onboarding failed, see
	// Ready.OnboardErr), before Run waits for ctx to end.
	Ready func(Ready)
}

// Infrastructure names, as shown in output prefixes and /readyz.
const (
	minioName = "minio"
	natsName  = "nats"
)

// stack is one run of the local platform.
type stack struct {
	Options
	cfg    *Config
	varDir string
	sup    *Supervisor

	origin              string
	minioAddr, minioCon string
	natsAddr            string
	minioUser, minioKey string
	svcAddr             map[string]string

	mu     sync.Mutex
	states map[string]Status // services not (yet) handed to the supervisor
}

// Run starts MinIO, NATS, every service whose code exists and the gateway, prints where
// everything is, and stops it all when ctx is done. It returns nil after a clean shutdown.
func Run(ctx context.Context, o Options) error {
	s := &stack{Options: o, cfg: o.Config, svcAddr: map[string]string{}, states: map[string]Status{}}
	if s.Out == nil {
		s.Out = os.Stdout
	}
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s.varDir = s.path(s.cfg.Var)
	if err := os.MkdirAll(s.varDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", s.cfg.Var, err)
	}
	release, err := lockDir(s.varDir)
	if err != nil {
		return err
	}
	defer release()
	minioBin, natsBin := filepath.Join(s.Root, "bin", "minio"), filepath.Join(s.Root, "bin", "nats-server")
	for _, b := range []string{minioBin, natsBin} {
		if _, err := os.Stat(b); err != nil {
			return fmt.Errorf("%s is not built; run infra/servers.sh minio nats-server first: %w", b, err)
		}
	}

	// Bind the origin first: if it is taken, nothing else should start. It is not moved to a free
	// port because the issuer and public URLs the services are given depend on it.
	listen := s.cfg.Listen
	if s.Listen != "" {
		listen = s.Listen
	}
	if host, _, err := net.SplitHostPort(listen); err != nil || !isLoopback(host) {
		return fmt.Errorf("listen %q: give a loopback host:port such as 127.0.0.1:8080", listen)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", listen)
	if err != nil {
		return fmt.Errorf("gateway cannot listen on %s (stop what uses it, or pass -listen 127.0.0.1:PORT): %w", listen, err)
	}
	gwPort := ln.Addr().(*net.TCPAddr).Port
	s.origin = "http://localhost:" + strconv.Itoa(gwPort)

	ports := &portPicker{taken: map[int]bool{gwPort: true}, log: s.Log}
	var perr error
	pick := func(what string, preferred int) string {
		p, err := ports.pick(what, preferred)
		perr = errors.Join(perr, err)
		return "127.0.0.1:" + strconv.Itoa(p)
	}
	s.minioAddr = pick("minio", s.cfg.MinIO.Port)
	s.minioCon = pick("minio console", s.cfg.MinIO.ConsolePort)
	s.natsAddr = pick("nats", s.cfg.NATS.Port)
	for _, svc := range s.cfg.Services {
		s.svcAddr[svc.Name] = pick(svc.Name, svc.Port)
	}
	if perr != nil {
		_ = ln.Close()
		return perr
	}
	if s.minioUser, s.minioKey, err = s.minioCredentials(); err != nil {
		_ = ln.Close()
		return err
	}

	s.sup = NewSupervisor(s.Log, s.Out, time.Duration(s.cfg.StopTimeout))
	s.sup.NameWidth = len(minioName)
	for _, svc := range s.cfg.Services {
		s.sup.NameWidth = max(s.sup.NameWidth, len(svc.Name))
	}

	// Serve from the start so /livez and the landing page answer while services build.
	srv := &http.Server{Handler: s.gateway(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Log.Error("gateway stopped", "err", err)
		}
	}()
	s.Log.Info("gateway listening", "origin", s.origin, "addr", ln.Addr().String())

	err = s.start(ctx, minioBin, natsBin)
	if err == nil {
		ready, oerr := s.onboard(ctx)
		if oerr != nil && ctx.Err() == nil {
			s.Log.Error("onboarding the demo data failed; the stack runs without (some of) it", "err", oerr)
			ready.OnboardErr = oerr
		}
		s.printSummary(ready)
		if s.Ready != nil && ctx.Err() == nil {
			s.Ready(ready)
		}
		<-ctx.Done()
		s.Log.Info("shutting down")
	}

	// Stop in reverse order of need: the door, then the services, then what they depend on.
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = srv.Shutdown(shutCtx)
	cancel()
	var names []string
	for _, svc := range s.cfg.Services {
		names = append(names, svc.Name)
	}
	s.sup.Stop(names...)
	s.sup.Stop(minioName, natsName)
	s.Log.Info("everything stopped")
	if err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// start brings up MinIO and NATS, builds the services meanwhile, and starts those that built.
func (s *stack) start(ctx context.Context, minioBin, natsBin string) error {
	if err := s.sup.Start(Command{Name: minioName, Path: minioBin, Dir: s.Root,
		// --quiet: MinIO's banner would print the root password; our summary says where it is.
		Args: []string{"server", "--quiet", "--address", s.minioAddr, "--console-address", s.minioCon, filepath.Join(s.varDir, "minio")},
		Env:  []string{"MINIO_ROOT_USER=" + s.minioUser, "MINIO_ROOT_PASSWORD=" + s.minioKey, "MINIO_UPDATE=off"},
	}); err != nil {
		return err
	}
	_, natsPort, _ := net.SplitHostPort(s.natsAddr)
	if err := s.sup.Start(Command{Name: natsName, Path: natsBin, Dir: s.Root,
		Args: []string{"-a", "127.0.0.1", "-p", natsPort, "-js", "-sd", filepath.Join(s.varDir, "nats")},
	}); err != nil {
		return err
	}

	var present []ServiceDef
	for _, svc := range s.cfg.Services {
		if fi, err := os.Stat(s.path(svc.Package)); err != nil || !fi.IsDir() {
			s.setState(svc.Name, StateNotInstalled, "")
			s.Log.Info("skipping service: no code yet", "service", svc.Name, "package", svc.Package)
			continue
		}
		s.setState(svc.Name, StateBuilding, "")
		present = append(present, svc)
	}
	var built []ServiceDef
	for _, svc := range present {
		if err := s.build(ctx, svc); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.setState(svc.Name, StateBuildFailed, err.Error())
			s.Log.Error("build failed; the service stays down", "service", svc.Name, "err", err)
			continue
		}
		built = append(built, svc)
	}

	httpc := &http.Client{Timeout: time.Second}
	if err := waitUntil(ctx, 90*time.Second, HTTPCheck(httpc, "http://"+s.minioAddr+"/minio/health/live")); err != nil {
		return fmt.Errorf("minio did not become ready on %s (see its output above): %w", s.minioAddr, err)
	}
	if err := waitUntil(ctx, 30*time.Second, TCPCheck(s.natsAddr)); err != nil {
		return fmt.Errorf("nats did not become ready on %s (see its output above): %w", s.natsAddr, err)
	}

	for _, svc := range built {
		env, err := s.serviceEnv(svc)
		if err != nil {
			return err
		}
		if err := s.sup.Start(Command{Name: svc.Name, Path: s.binary(svc), Dir: s.Root, Env: env}); err != nil {
			s.setState(svc.Name, StateBuildFailed, err.Error())
			s.Log.Error("service did not start", "service", svc.Name, "err", err)
		}
	}
	// The summary should describe a stack that answers, so give services a moment to listen.
	var wg sync.WaitGroup
	for _, svc := range built {
		wg.Go(func() {
			if err := waitUntil(ctx, 30*time.Second, TCPCheck(s.svcAddr[svc.Name])); err != nil && ctx.Err() == nil {
				s.Log.Warn("service is not listening yet", "service", svc.Name, "addr", s.svcAddr[svc.Name])
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// build compiles one service into bin/<name>.
func (s *stack) build(ctx context.Context, svc ServiceDef) error {
	return s.buildPackage(ctx, svc.Name, svc.Package, s.binary(svc))
}

func (s *stack) binary(svc ServiceDef) string { return filepath.Join(s.path(s.cfg.Bin), svc.Name) }

// serviceEnv is the contract between the dev stack and a service's config struct: config.Common
// read with the prefix NAME_, the same variables the Helm chart sets.
func (s *stack) serviceEnv(svc ServiceDef) ([]string, error) {
	n := svc.EnvPrefix()
	issuer := s.origin + "/auth"
	if as, ok := s.cfg.Service(s.cfg.Admin.Service); ok {
		issuer = s.origin + as.Prefix
	}
	env := []string{
		n + "_HTTP_ADDR=" + s.svcAddr[svc.Name],
		n + "_PUBLIC_BASE_URL=" + s.origin + svc.Prefix,
		n + "_DB_DSN=" + s.dsn(svc.Name),
		n + "_NATS_URL=nats://" + s.natsAddr,
		n + "_MINIO_ENDPOINT=" + s.minioAddr,
		n + "_MINIO_ACCESS_KEY=" + s.minioUser,
		n + "_MINIO_SECRET_KEY=" + s.minioKey,
		n + "_OIDC_ISSUER=" + issuer,
	}
	if svc.Name != s.cfg.Admin.Service {
		secret, err := s.clientSecret(svc.Name)
		if err != nil {
			return nil, err
		}
		env = append(env, n+"_OIDC_CLIENT_ID="+svc.Name, n+"_OIDC_CLIENT_SECRET="+secret,
			n+"_SECRET_KEY_FILE="+s.displayPath(filepath.Join(s.varDir, svc.Name+"-secret.key")))
	}
	if svc.Name == s.cfg.Admin.Service {
		pw, err := s.adminPassword()
		if err != nil {
			return nil, err
		}
		env = append(env, n+"_BOOTSTRAP_ADMIN_USERNAME="+s.cfg.Admin.Username, n+"_BOOTSTRAP_ADMIN_PASSWORD="+pw)
		if s.cfg.Admin.RootTenant != "" {
			env = append(env, n+"_ROOT_TENANT_SLUG="+s.cfg.Admin.RootTenant)
		}
		clients, err := s.devClients()
		if err != nil {
			return nil, err
		}
		seeds := clients
		if s.cfg.Admin.SeedFile != "" {
			seeds = s.path(s.cfg.Admin.SeedFile) + "," + clients
		}
		env = append(env, n+"_SEED_FILE="+seeds)
		if s.cfg.Onboard.Tenants != "" {
			// The operator's client, which onboards the demo tenants through the admin API.
			secret, err := s.operatorSecret()
			if err != nil {
				return nil, err
			}
			env = append(env, n+"_OPERATOR_CLIENT_ID="+s.cfg.Onboard.Client, n+"_OPERATOR_CLIENT_SECRET="+secret)
		}
	}
	for k, v := range svc.Env {
		env = append(env, k+"="+v)
	}
	return env, nil
}

// dsn is a service's database: Options.DSN's answer, or a SQLite file under var.
func (s *stack) dsn(service string) string {
	if s.DSN != nil {
		if d := s.DSN(service); d != "" {
			return d
		}
	}
	return "sqlite://" + s.displayPath(filepath.Join(s.varDir, service+".db"))
}

func (s *stack) gateway() *Gateway {
	var routes []Route
	for _, svc := range s.cfg.Services {
		routes = append(routes, Route{Name: svc.Name, Prefix: svc.Prefix, Addr: s.svcAddr[svc.Name], Readyz: svc.Readyz})
	}
	httpc := &http.Client{Timeout: 2 * time.Second}
	deps := []Dependency{
		{Name: minioName, Check: HTTPCheck(httpc, "http://"+s.minioAddr+"/minio/health/live")},
		{Name: natsName, Check: TCPCheck(s.natsAddr)},
	}
	links := []Link{
		{Name: "MinIO console", URL: "http://" + s.minioCon, Note: "(tài khoản " + s.minioUser + ", mật khẩu trong " + s.displayPath(s.path(s.cfg.MinIO.CredentialsFile)) + ")"},
		{Name: "MinIO API", URL: "http://" + s.minioAddr},
		{Name: "NATS JetStream", Note: "nats://" + s.natsAddr},
	}
	return NewGateway(s.Log, routes, s.status, deps, links)
}

// status prefers the supervisor's view once a service has been handed to it.
func (s *stack) status(name string) Status {
	if st, ok := s.sup.Status(name); ok {
		return st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.states[name]
}

func (s *stack) setState(name string, st State, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states[name] = Status{State: st, Detail: detail}
}

// printSummary is the one place the console shows where everything is, including the local
// administrator's sign-in (a dev-only secret meant to be read here, and nowhere else).
func (s *stack) printSummary(ready Ready) {
	var b strings.Builder
	w := s.sup.NameWidth + 2
	fmt.Fprintf(&b, "\n=== egov-dev: the local platform is up ===\n")
	fmt.Fprintf(&b, "%-*s %s  (landing page; /livez, /readyz)\n", w, "origin", s.origin)
	for _, svc := range s.cfg.Services {
		st := s.status(svc.Name)
		note := st.State.String()
		switch st.State {
		case StateRunning:
			note = "running on " + s.svcAddr[svc.Name]
		case StateNotInstalled:
			note = "not installed yet (" + svc.Package + ")"
		case StateBuildFailed:
			note = "build failed, see output above"
		}
		fmt.Fprintf(&b, "%-*s %-*s %s\n", w, svc.Name, len(s.origin)+12, s.origin+svc.Prefix, note)
	}
	fmt.Fprintf(&b, "%-*s http://%s  (user %s, password in %s)\n", w, "minio", s.minioCon, s.minioUser, s.displayPath(s.path(s.cfg.MinIO.CredentialsFile)))
	fmt.Fprintf(&b, "%-*s http://%s  (S3 API)\n", w, "", s.minioAddr)
	fmt.Fprintf(&b, "%-*s nats://%s  (JetStream, store %s)\n", w, "nats", s.natsAddr, s.displayPath(filepath.Join(s.varDir, "nats")))
	switch st := s.status(s.cfg.Admin.Service); st.State {
	case StateRunning:
		pw, err := s.adminPassword()
		if err != nil {
			pw = "(unreadable: " + err.Error() + ")"
		}
		as, _ := s.cfg.Service(s.cfg.Admin.Service)
		fmt.Fprintf(&b, "%-*s sign in at %s%s as %s / %s\n", w, "admin", s.origin, as.Prefix, s.cfg.Admin.Username, pw)
		s.printSeedUsers(&b, w)
		ready.printDemo(&b)
	case StateNotInstalled:
		fmt.Fprintf(&b, "%-*s %s is not installed yet, so there is no sign-in\n", w, "admin", s.cfg.Admin.Service)
	default:
		fmt.Fprintf(&b, "%-*s %s is %s, so there is no sign-in yet\n", w, "admin", s.cfg.Admin.Service, st.State)
	}
	fmt.Fprintf(&b, "Press Ctrl-C to stop everything.\n\n")
	s.sup.out.writeLine("", []byte(b.String()))
}

// minioCredentials reads the dev root credentials, generating them on the first run.
func (s *stack) minioCredentials() (user, key string, err error) {
	file := s.path(s.cfg.MinIO.CredentialsFile)
	content, err := readOrCreateSecret(s.Log, file, func() string {
		return "# MinIO root credentials of the local dev stack, generated once by egov-dev.\n" +
			"MINIO_ROOT_USER=egovdev\nMINIO_ROOT_PASSWORD=" + rand.Text() + "\n"
	})
	if err != nil {
		return "", "", err
	}
	sc := bufio.NewScanner(strings.NewReader(content))
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		switch k {
		case "MINIO_ROOT_USER":
			user = v
		case "MINIO_ROOT_PASSWORD":
			key = v
		}
	}
	if len(user) < 3 || len(key) < 8 {
		return "", "", fmt.Errorf("%s lacks MINIO_ROOT_USER (3+ chars) or MINIO_ROOT_PASSWORD (8+ chars); delete it to have new ones generated", file)
	}
	return user, key, nil
}

// adminPassword reads the administrator's dev password, generating it on the first run.
func (s *stack) adminPassword() (string, error) {
	pw, err := readOrCreateSecret(s.Log, s.path(s.cfg.Admin.PasswordFile), func() string { return devPassword() + "\n" })
	if err != nil {
		return "", err
	}
	pw = strings.TrimSpace(pw)
	if pw == "" {
		return "", fmt.Errorf("%s is empty; delete it to have a new password generated", s.cfg.Admin.PasswordFile)
	}
	return pw, nil
}

// clientSecret returns a service's OIDC client secret, generated once into var/<name>-client-secret.
func (s *stack) clientSecret(name string) (string, error) {
	secret, err := readOrCreateSecret(s.Log, filepath.Join(s.varDir, name+"-client-secret"), func() string { return rand.Text() + rand.Text() + "\n" })
	return strings.TrimSpace(secret), err
}

// devClients writes var/dev-clients.yaml, the identity seed of every other service's client: the
// code flow for its pages through the gateway, back-channel logout, and client credentials with
// the service role for calls between services, in the root tenant (admin.root-tenant), so that
// a service's token names the province and may act for the units below it.
func (s *stack) devClients() (string, error) {
	audiences := []string{s.cfg.Admin.Service}
	for _, svc := range s.cfg.Services {
		if svc.Name != s.cfg.Admin.Service {
			audiences = append(audiences, svc.Name)
		}
	}
	var b strings.Builder
	b.WriteString("# Generated by egov-dev at every start from infra/dev/stack.yaml; secrets are in var/*-client-secret.\nclients:\n")
	for _, svc := range s.cfg.Services {
		if svc.Name == s.cfg.Admin.Service {
			continue
		}
		secret, err := s.clientSecret(svc.Name)
		if err != nil {
			return "", err
		}
		base := s.origin + svc.Prefix
		fmt.Fprintf(&b, "  - {client_id: %q, name: %q, tenant: %q, type: confidential, redirect_uris: [%q], post_logout_redirect_uris: [%q],\n"+
			"     backchannel_logout_uri: %q, grant_types: [authorization_code, refresh_token, client_credentials], roles: [service],\n"+
			"     audiences: [%s], secret: %q}\n",
			svc.Name, "Dịch vụ "+svc.Name, s.cfg.Admin.RootTenant, base+"/auth/callback", base+"/", base+"/auth/backchannel-logout", strings.Join(audiences, ", "), secret)
	}
	file := filepath.Join(s.varDir, "dev-clients.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", file, err)
	}
	return file, nil
}

// readOrCreateSecret returns the file's content, first writing gen() into it (mode 0600) if it
// does not exist. A file others can read is tightened rather than trusted as is.
func readOrCreateSecret(log *slog.Logger, file string, gen func() string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return "", err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		content := gen()
		_, werr := f.WriteString(content)
		if err := errors.Join(werr, f.Close()); err != nil {
			return "", fmt.Errorf("write %s: %w", file, err)
		}
		log.Info("generated dev secret", "file", file)
		return content, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("create %s: %w", file, err)
	}
	if fi, err := os.Stat(file); err == nil && fi.Mode().Perm()&0o077 != 0 {
		log.Warn("secret file was readable by others; setting mode 0600", "file", file)
		if err := os.Chmod(file, 0o600); err != nil {
			return "", err
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", file, err)
	}
	return string(b), nil
}

// path resolves a config path against the repository root.
func (s *stack) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Root, filepath.FromSlash(p))
}

// displayPath shows a path relative to the root when it is inside it.
func (s *stack) displayPath(p string) string {
	if rel, err := filepath.Rel(s.Root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// waitUntil polls check until it succeeds, ctx ends or the timeout passes.
func waitUntil(ctx context.Context, timeout time.Duration, check func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		err := check(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// portPicker hands out loopback ports: the preferred one when it is free, any free one otherwise.
type portPicker struct {
	taken map[int]bool
	log   *slog.Logger
	lc    net.ListenConfig
}

func (p *portPicker) pick(what string, preferred int) (int, error) {
	if preferred > 0 && !p.taken[preferred] {
		if l, err := p.lc.Listen(context.Background(), "tcp", "127.0.0.1:"+strconv.Itoa(preferred)); err == nil {
			_ = l.Close()
			p.taken[preferred] = true
			return preferred, nil
		}
	}
	for range 20 {
		l, err := p.lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("no free loopback port for %s: %w", what, err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if !p.taken[port] {
			p.taken[port] = true
			if preferred > 0 {
				p.log.Info("port taken; using a free one", "for", what, "wanted", preferred, "port", port)
			}
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free loopback port for %s", what)
}

// devPassword is 26 random base32 characters (130 bits) that also meet identity's password
// policy: letters mixed with digits.
func devPassword() string {
	for {
		pw := rand.Text()
		if strings.ContainsAny(pw, "234567") && strings.ContainsAny(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			return pw
		}
	}
}

// seedUsers is the part of the seed file the summary prints.
type seedUsers struct {
	Users []struct {
		Username string   `yaml:"username"`
		Name     string   `yaml:"name"`
		Tenant   string   `yaml:"tenant"`
		Roles    []string `yaml:"roles"`
	} `yaml:"users"`
}

// printSeedUsers lists the demo staff, who sign in with the administrator's password.
func (s *stack) printSeedUsers(b *strings.Builder, w int) {
	if s.cfg.Admin.SeedFile == "" {
		return
	}
	raw, err := os.ReadFile(s.path(s.cfg.Admin.SeedFile))
	if err != nil {
		fmt.Fprintf(b, "%-*s seed file unreadable: %v\n", w, "", err)
		return
	}
	var seed seedUsers
	if err := yaml.Unmarshal(raw, &seed); err != nil {
		fmt.Fprintf(b, "%-*s seed file unreadable: %v\n", w, "", err)
		return
	}
	if len(seed.Users) > 0 {
		fmt.Fprintf(b, "%-*s staff, same password as admin:\n", w, "")
	}
	for _, u := range seed.Users {
		fmt.Fprintf(b, "%-*s   %-18s %s, %s (%s)\n", w, "", u.Username, u.Name, u.Tenant, strings.Join(u.Roles, ", "))
	}
}
