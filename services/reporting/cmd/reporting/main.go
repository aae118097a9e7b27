// Command reporting is the read model of the reform indicators: it consumes the platform's
// events, keeps the indicators per unit and month, and serves the dashboards, exports and API.
// "reporting rebuild" replays the whole stream into the configured database and exits.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/reporting/internal/adapters"
	"egov.vn/platform/services/reporting/internal/service"
)

func main() {
	cfg := config.MustLoad[service.Config](config.WithPrefix("REPORTING_"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rt, err := bootstrap.Start(ctx, bootstrap.Options{Service: service.Name, Common: cfg.Common, Events: true})
	if err != nil {
		config.Fatal(err)
	}
	defer func() { _ = rt.Close(context.Background()) }() // Run already closed it on the normal path
	tracer := rt.Telemetry.Tracer(service.Name)

	if len(os.Args) > 1 && os.Args[1] == "rebuild" {
		n, err := adapters.Rebuild(ctx, rt.DB, rt.JetStream, bootstrap.Stream, cfg.Durable, cfg.IngestBatch, tracer)
		if err != nil {
			rt.Log.Error("rebuild failed", "error", err, "applied", n)
			os.Exit(1)
		}
		rt.Log.Info("read model rebuilt from the stream", "events", n)
		return
	}

	svc, err := service.New(ctx, cfg, service.Deps{DB: rt.DB, JS: rt.JetStream, Tracer: tracer, Meter: rt.Telemetry.Meter(service.Name), Log: rt.Log})
	if err != nil {
		rt.Log.Error("reporting failed to start", "error", err)
		os.Exit(1)
	}
	go func() {
		if err := svc.Ingest.Run(ctx); err != nil {
			rt.Log.Error("the event consumer stopped", "error", err)
			stop() // without its consumer the read model goes stale: let the orchestrator restart us
		}
	}()
	engine := rt.Engine()
	svc.Routes(engine)
	if err := rt.Run(ctx, engine); err != nil {
		rt.Log.Error("reporting stopped", "error", err)
		os.Exit(1)
	}
}
