package bootstrap

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/minio/minio-go/v7"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/events"
)

// Deps are what a service's composition root (service.New) gets from the runtime; tests build
// them by hand with their own database and servers. Every service takes the same struct.
type Deps struct {
	DB *gorm.DB
	// Outbox is the relay-backed outbox (nil in tests without NATS: events stay in the table).
	Outbox *events.Outbox
	// JetStream is set when the service asked for Events (a consumer reads the stream with it).
	JetStream jetstream.JetStream
	// Objects is set when the service asked for Objects.
	Objects *minio.Client
	Log     *slog.Logger
	Tracer  trace.Tracer
	Meter   metric.Meter
	// HTTPClient calls identity and the other services; nil is libs/auth's traced default.
	HTTPClient *http.Client
	// Now is the clock (tests fix it); nil is time.Now.
	Now func() time.Time
}

// Deps returns what Start opened, for service.New.
func (rt *Runtime) Deps() Deps {
	return Deps{DB: rt.DB, Outbox: rt.Outbox, JetStream: rt.JetStream, Objects: rt.Objects, Log: rt.Log,
		Tracer: rt.Telemetry.Tracer(rt.Service), Meter: rt.Telemetry.Meter(rt.Service)}
}

// Service is what a service's composition root returns: its routes on the runtime's engine.
type Service interface {
	Routes(e *gin.Engine)
}

// Jobs is a Service with background work that runs beside the server on every replica (overdue
// flags, fixity checks, the event consumer). RunJobs returns when ctx ends; an error returned
// before that means the service cannot do its work (its consumer died), so the process stops and
// the orchestrator restarts it.
type Jobs interface {
	RunJobs(ctx context.Context) error
}

// Command is a one-off task a service's binary runs instead of serving (`reporting rebuild`):
// given what Start opened, it does its work and returns.
type Command func(ctx context.Context, rt *Runtime) error

// Needs are what one service asks of the runtime, decided from its loaded configuration.
type Needs struct {
	Options
	// Commands are the binary's subcommands by name (os.Args[1]).
	Commands map[string]Command
}

// configOf is what Main needs of a service's Config: config.Common, embedded.
type configOf interface{ CommonConfig() config.Common }

// Main is a service's whole main: it reads the Config from the environment with the service's
// prefix (DOSSIERS_ for "dossiers") and stops with a report naming every bad variable, asks the
// service what it needs, starts the runtime, runs a subcommand if one is named, or builds the
// service with build and serves it until SIGTERM/SIGINT, draining requests and closing everything.
//
//	func main() { bootstrap.Main(service.Name, service.New, service.Needs) }
func Main[C configOf, S Service](name string, build func(context.Context, C, Deps) (S, error), needs func(C) Needs) {
	cfg := config.MustLoad[C](config.WithPrefix(strings.ToUpper(name) + "_"))
	n := needs(cfg)
	n.Service, n.Common = name, cfg.CommonConfig()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rt, err := Start(ctx, n.Options)
	if err != nil {
		config.Fatal(err)
	}
	if err := run(ctx, stop, rt, n, func(ctx context.Context) (Service, error) { return build(ctx, cfg, rt.Deps()) }); err != nil {
		rt.Log.Error(name+" stopped", "error", err.Error())
		_ = rt.Close(context.Background())
		os.Exit(1)
	}
}

// run is Main after Start: a subcommand, or the service with its jobs and server.
func run(ctx context.Context, stop func(), rt *Runtime, n Needs, build func(context.Context) (Service, error)) error {
	if len(os.Args) > 1 {
		cmd, ok := n.Commands[os.Args[1]]
		if !ok {
			return errors.New("unknown command " + os.Args[1] + "; the binary serves when run without arguments")
		}
		defer func() { _ = rt.Close(context.Background()) }()
		return cmd(ctx, rt)
	}
	svc, err := build(ctx)
	if err != nil {
		return err
	}
	engine := rt.Engine()
	svc.Routes(engine)
	if jobs, ok := svc.(Jobs); ok {
		go func() {
			if err := jobs.RunJobs(ctx); err != nil && ctx.Err() == nil {
				rt.Log.ErrorContext(ctx, "background work stopped; stopping the service so it is restarted", "error", err.Error())
				stop()
			}
		}()
	}
	return rt.Run(ctx, engine)
}
