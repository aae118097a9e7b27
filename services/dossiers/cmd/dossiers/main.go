// Command dossiers is the one-stop shop (bộ phận một cửa): procedure catalogue, intake with
// receipts and appointments, processing with deadlines, forms, the citizen's lookup and rating.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/dossiers/internal/service"
)

func main() {
	cfg := config.MustLoad[service.Config](config.WithPrefix("DOSSIERS_"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rt, err := bootstrap.Start(ctx, bootstrap.Options{Service: service.Name, Common: cfg.Common, Events: true, Objects: cfg.Files})
	if err != nil {
		config.Fatal(err)
	}
	defer func() { _ = rt.Close(context.Background()) }() // Run already closed it on the normal path
	svc, err := service.New(ctx, cfg, service.Deps{DB: rt.DB, Outbox: rt.Outbox, Objects: rt.Objects, Log: rt.Log,
		Tracer: rt.Telemetry.Tracer(service.Name)})
	if err != nil {
		rt.Log.Error("dossiers failed to start", "error", err)
		os.Exit(1)
	}
	engine := rt.Engine()
	svc.Routes(engine)
	go svc.RunJobs(ctx)
	if err := rt.Run(ctx, engine); err != nil {
		rt.Log.Error("dossiers stopped", "error", err)
		os.Exit(1)
	}
}
