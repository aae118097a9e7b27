// Command hr is the HR service: organisation units, staff, employment, qualifications, imports
// and statistics for every tenant.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/hr/internal/service"
)

func main() {
	cfg := config.MustLoad[service.Config](config.WithPrefix("HR_"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rt, err := bootstrap.Start(ctx, bootstrap.Options{Service: "hr", Common: cfg.Common, Events: true, Objects: true})
	if err != nil {
		config.Fatal(err)
	}
	defer func() { _ = rt.Close(context.Background()) }() // Run already closed it on the normal path
	hr, err := service.New(ctx, cfg, service.Deps{DB: rt.DB, Outbox: rt.Outbox, Objects: rt.Objects, Log: rt.Log,
		Tracer: rt.Telemetry.Tracer("hr")})
	if err != nil {
		rt.Log.Error("hr failed to start", "error", err)
		os.Exit(1)
	}
	engine := rt.Engine()
	hr.Routes(engine)
	if err := rt.Run(ctx, engine); err != nil {
		rt.Log.Error("hr stopped", "error", err)
		os.Exit(1)
	}
}
