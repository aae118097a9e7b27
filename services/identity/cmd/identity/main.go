// Command identity is the platform's OpenID Provider: single sign-on for staff, tokens for the
// services, and the admin API the operator uses to onboard communes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/services/identity/internal/service"
)

func main() {
	cfg := config.MustLoad[service.Config](config.WithPrefix("IDENTITY_"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rt, err := bootstrap.Start(ctx, bootstrap.Options{Service: "identity", Common: cfg.Common})
	if err != nil {
		config.Fatal(err)
	}
	defer func() { _ = rt.Close(context.Background()) }() // Run already closed it on the normal path
	id, err := service.New(ctx, cfg, service.Deps{DB: rt.DB, Log: rt.Log, Tracer: rt.Telemetry.Tracer("identity")})
	if err != nil {
		rt.Log.Error("identity failed to start", "error", err)
		os.Exit(1)
	}
	engine := rt.Engine()
	id.Routes(engine)
	go id.RunMaintenance(ctx)
	if err := rt.Run(ctx, engine); err != nil {
		rt.Log.Error("identity stopped", "error", err)
		os.Exit(1)
	}
}
