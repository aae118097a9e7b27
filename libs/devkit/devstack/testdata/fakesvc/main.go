// Command fakesvc stands in for a platform service in the devstack end-to-end test: it listens
// where the dev stack tells it, mounts under its prefix, echoes what it was given, and starts a
// grandchild so the test can prove shutdown leaves no process behind.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	// Built to bin/<name>, so the binary's name says which service it plays (FAKE_, IDENTITY_, ...).
	name := strings.ToUpper(strings.ReplaceAll(filepath.Base(os.Args[0]), "-", "_"))
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start grandchild:", err)
		os.Exit(1)
	}
	if f := os.Getenv(name + "_PIDFILE"); f != "" {
		_ = os.WriteFile(f, fmt.Appendf(nil, "%d %d\n", os.Getpid(), cmd.Process.Pid), 0o600)
	}
	base, err := url.Parse(os.Getenv(name + "_PUBLIC_BASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "public base URL:", err)
		os.Exit(1)
	}
	prefix := base.Path
	mux := http.NewServeMux()
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc(prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			if strings.HasPrefix(k, name+"_") && !strings.Contains(k, "PASSWORD") && !strings.Contains(k, "SECRET") {
				env[k] = v
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"path": r.URL.Path, "host": r.Host,
			"forwarded_host": r.Header.Get("X-Forwarded-Host"), "env": env})
	})
	fmt.Println("fakesvc listening on", os.Getenv(name+"_HTTP_ADDR"))
	if err := http.ListenAndServe(os.Getenv(name+"_HTTP_ADDR"), mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
