// Command egov-dev runs the whole platform locally on embedded defaults (`make run`): MinIO,
// NATS JetStream, every service that exists, behind one origin. See package devstack.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"egov.vn/platform/libs/devstack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "egov-dev:", err)
		os.Exit(1)
	}
}

func run() error {
	root := flag.String("root", "", "repository root (default: the folder holding go.work, above the working directory)")
	config := flag.String("config", "", "stack config (default: <root>/infra/dev/stack.yaml)")
	listen := flag.String("listen", "", "gateway address, overriding the config's listen (e.g. 127.0.0.1:8080)")
	verbose := flag.Bool("v", false, "debug logging")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if *root == "" {
		r, err := findRoot()
		if err != nil {
			return err
		}
		*root = r
	}
	abs, err := filepath.Abs(*root)
	if err != nil {
		return err
	}
	if *config == "" {
		*config = filepath.Join(abs, "infra", "dev", "stack.yaml")
	}
	cfg, err := devstack.LoadConfig(*config)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		// After the first signal, restore the default so a second Ctrl-C ends egov-dev at once
		// (its direct children then die with it on Linux through the parent-death signal).
		<-ctx.Done()
		stop()
	}()
	return devstack.Run(ctx, devstack.Options{Root: abs, Config: cfg, Listen: *listen, Out: os.Stdout, Log: log})
}

// findRoot walks up from the working directory to the folder holding go.work.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.work above the working directory; run from the repository or pass -root")
		}
		dir = parent
	}
}
