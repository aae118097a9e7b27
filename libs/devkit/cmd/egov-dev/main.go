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

	"egov.vn/platform/libs/devkit/devstack"
	"egov.vn/platform/libs/workspace"
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
		r, err := workspace.Root()
		if err != nil {
			return fmt.Errorf("%w: run from the repository or pass -root", err)
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
