package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Connect opens the service's NATS connection and its JetStream context. A service keeps trying
// to reconnect for ever: a NATS restart must degrade /readyz, not kill every replica.
func Connect(url, clientName string, opts ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	base := []nats.Option{
		nats.Name(clientName),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.RetryOnFailedConnect(false),
	}
	nc, err := nats.Connect(url, append(base, opts...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("events: connect to NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("events: JetStream: %w", err)
	}
	return nc, js, nil
}

// ErrNotConnected is what Probe reports while the connection is down or reconnecting.
var ErrNotConnected = errors.New("events: not connected to NATS")

// Probe returns a readiness probe: the connection is up and JetStream answers.
func Probe(nc *nats.Conn, js jetstream.JetStream) func(context.Context) error {
	return func(ctx context.Context) error {
		if !nc.IsConnected() {
			return fmt.Errorf("%w (status %s)", ErrNotConnected, nc.Status())
		}
		if _, err := js.AccountInfo(ctx); err != nil {
			return fmt.Errorf("events: JetStream: %w", err)
		}
		return nil
	}
}
