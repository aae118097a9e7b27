// Command archives keeps the units' official documents and records: registers, files in MinIO
// under object lock, electronic exchange between units, and attachments for other services.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/archives/internal/service"
)

func main() {
	cfg := config.MustLoad[service.Config](config.WithPrefix("ARCHIVES_"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rt, err := bootstrap.Start(ctx, bootstrap.Options{Service: service.Name, Common: cfg.Common, Events: true, Objects: true})
	if err != nil {
		config.Fatal(err)
	}
	defer func() { _ = rt.Close(context.Background()) }() // Run already closed it on the normal path
	ar, err := service.New(ctx, cfg, service.Deps{DB: rt.DB, Outbox: rt.Outbox, MinIO: rt.Objects, Log: rt.Log, Tracer: rt.Telemetry.Tracer(service.Name)})
	if err != nil {
		rt.Log.Error("archives failed to start", "error", err)
		os.Exit(1)
	}
	engine := rt.Engine()
	ar.Routes(engine)
	go ar.RunJobs(ctx)
	if err := rt.Run(ctx, engine); err != nil {
		rt.Log.Error("archives stopped", "error", err)
		os.Exit(1)
	}
}
