package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Route sends one path prefix to one local service.
type Route struct {
	Name   string
	Prefix string // kept in the forwarded path: services mount under it, as behind the ingress
	Addr   string // the service's loopback host:port
	Readyz string // readiness path, asked on Addr directly as the kubelet would
}

// Dependency is a server the stack needs (MinIO, NATS), checked by /readyz.
type Dependency struct {
	Name  string
	Check func(ctx context.Context) error
}

// Link is an extra line on the landing page (MinIO console, NATS).
type Link struct {
	Name, URL, Note string
}

// StatusFunc tells the gateway how a service stands; it proxies only to running ones.
type StatusFunc func(name string) Status

// Gateway is the one origin of the local platform: a reverse proxy by longest path prefix, plus
// /livez, /readyz and a landing page of its own.
type Gateway struct {
	routes []gatewayRoute // longest prefix first
	listed []gatewayRoute // as configured, for the landing page
	status StatusFunc
	deps   []Dependency
	links  []Link
	log    *slog.Logger
	client *http.Client
}

type gatewayRoute struct {
	Route
	proxy *httputil.ReverseProxy
}

// NewGateway builds the handler. status may be called concurrently.
func NewGateway(log *slog.Logger, routes []Route, status StatusFunc, deps []Dependency, links []Link) *Gateway {
	g := &Gateway{status: status, deps: deps, links: links, log: log,
		client: &http.Client{Timeout: 2 * time.Second}}
	for _, r := range routes {
		target := &url.URL{Scheme: "http", Host: r.Addr}
		proxy := &httputil.ReverseProxy{
			// Rewrite (not Director) drops any X-Forwarded-* the client sent before we set ours.
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.SetXForwarded()
				// Keep the browser's Host, as the ingress does, so absolute URLs a service builds
				// from the request still point at the origin.
				pr.Out.Host = pr.In.Host
			},
			ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
				if errors.Is(err, context.Canceled) {
					return // the browser went away; nothing to answer
				}
				log.Warn("upstream error", "service", r.Name, "path", req.URL.Path, "err", err)
				writeProblem(w, req, http.StatusBadGateway, "upstream_unreachable", "Dịch vụ không phản hồi",
					fmt.Sprintf("Dịch vụ %s (%s) không phản hồi. Có thể dịch vụ đang khởi động; hãy thử lại sau giây lát.", r.Name, r.Prefix),
					r.Name)
			},
		}
		g.routes = append(g.routes, gatewayRoute{Route: r, proxy: proxy})
	}
	g.listed = append([]gatewayRoute(nil), g.routes...)
	sort.SliceStable(g.routes, func(i, j int) bool { return len(g.routes[i].Prefix) > len(g.routes[j].Prefix) })
	return g
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/livez":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	case "/readyz":
		g.serveReadyz(w, r)
		return
	case "/":
		g.serveLanding(w, r)
		return
	}
	rt := g.match(r.URL.Path)
	if rt == nil {
		writeProblem(w, r, http.StatusNotFound, "not_found", "Không tìm thấy",
			fmt.Sprintf("Không có dịch vụ nào phục vụ đường dẫn %s. Xem danh sách dịch vụ tại trang chủ /.", r.URL.Path), "")
		return
	}
	st := g.status(rt.Name)
	if st.State != StateRunning {
		if st.State == StateRestarting {
			w.Header().Set("Retry-After", "5")
		}
		writeProblem(w, r, http.StatusServiceUnavailable, "service_not_running", "Dịch vụ chưa chạy",
			fmt.Sprintf("Dịch vụ %s (%s) chưa chạy: %s.", rt.Name, rt.Prefix, st.State.Vietnamese()), rt.Name)
		return
	}
	rt.proxy.ServeHTTP(w, r)
}

// match finds the longest prefix that ends at a path segment boundary: /auth serves /auth and
// /auth/..., never /authx.
func (g *Gateway) match(p string) *gatewayRoute {
	for i := range g.routes {
		pre := g.routes[i].Prefix
		if p == pre || strings.HasPrefix(p, pre+"/") {
			return &g.routes[i]
		}
	}
	return nil
}

type checkResult struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// serveReadyz is ready when MinIO, NATS and every service that should run answer. Services
// without code yet do not count: a half-built platform is the normal state while developing.
func (g *Gateway) serveReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	results := map[string]checkResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	record := func(name string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			results[name] = checkResult{Status: "fail", Error: err.Error()}
		} else {
			results[name] = checkResult{Status: "ok"}
		}
	}
	for _, d := range g.deps {
		wg.Go(func() { record(d.Name, d.Check(ctx)) })
	}
	for _, rt := range g.routes {
		st := g.status(rt.Name)
		switch st.State {
		case StateNotInstalled:
			continue
		case StateRunning:
			wg.Go(func() { record(rt.Name, g.probe(ctx, rt.Route)) })
		default:
			record(rt.Name, errors.New(st.State.String()))
		}
	}
	wg.Wait()
	code, status := http.StatusOK, "ready"
	for _, res := range results {
		if res.Status != "ok" {
			code, status = http.StatusServiceUnavailable, "not ready"
		}
	}
	writeJSON(w, code, map[string]any{"status": status, "checks": results})
}

func (g *Gateway) probe(ctx context.Context, rt Route) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+rt.Addr+rt.Readyz, nil)
	if err != nil {
		return err
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", rt.Readyz, resp.Status)
	}
	return nil
}

var landing = template.Must(template.New("landing").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nền tảng chính quyền điện tử — môi trường phát triển</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
.running{color:#0a7a2f}.other{color:#a15c00}.off{color:#777}code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body><h1>Nền tảng chính quyền điện tử</h1>
<p>Môi trường phát triển cục bộ. Mọi dịch vụ dùng chung một địa chỉ gốc.</p>
<h2>Dịch vụ</h2>
<table><tr><th>Dịch vụ</th><th>Đường dẫn</th><th>Trạng thái</th></tr>
{{range .Services}}<tr><td>{{.Name}}</td><td>{{if .Running}}<a href="{{.Prefix}}/">{{.Prefix}}</a>{{else}}<code>{{.Prefix}}</code>{{end}}</td>
<td class="{{.Class}}">{{.State}}{{if .Restarts}} (đã khởi động lại {{.Restarts}} lần){{end}}</td></tr>
{{end}}</table>
<h2>Hạ tầng</h2><ul>
{{range .Links}}<li>{{.Name}}: {{if .URL}}<a href="{{.URL}}">{{.URL}}</a>{{end}} {{.Note}}</li>
{{end}}<li>Kiểm tra: <a href="/livez">/livez</a>, <a href="/readyz">/readyz</a></li></ul>
</body></html>
`))

func (g *Gateway) serveLanding(w http.ResponseWriter, _ *http.Request) {
	type row struct {
		Name, Prefix, State, Class string
		Running                    bool
		Restarts                   int
	}
	var rows []row
	for _, rt := range g.listed {
		st := g.status(rt.Name)
		class := "other"
		switch st.State {
		case StateRunning:
			class = "running"
		case StateNotInstalled, StateStopped:
			class = "off"
		}
		rows = append(rows, row{Name: rt.Name, Prefix: rt.Prefix, State: st.State.Vietnamese(), Class: class,
			Running: st.State == StateRunning, Restarts: st.Restarts})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := landing.Execute(w, map[string]any{"Services": rows, "Links": g.links}); err != nil {
		g.log.Warn("landing page", "err", err)
	}
}

// problem is an RFC 9457 body with the platform's stable code.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	Service  string `json:"service,omitempty"`
}

func writeProblem(w http.ResponseWriter, r *http.Request, status int, code, title, detail, service string) {
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: title, Status: status, Detail: detail,
		Instance: r.URL.Path, Code: code, Service: service})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// TCPCheck is a Dependency check that the address accepts connections.
func TCPCheck(addr string) func(context.Context) error {
	return func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
}

// HTTPCheck is a Dependency check that GET url answers 200.
func HTTPCheck(client *http.Client, rawURL string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %s", rawURL, resp.Status)
		}
		return nil
	}
}
