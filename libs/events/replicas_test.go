package events

import (
	"context"
	"strings"
	"testing"

	"egov.vn/platform/libs/testenv"
)

// TestStreamReplicasNeverDowngrade (issue 19 item 4): on a real JetStream cluster of three, a
// service asking 3 replicas gets them; one started later with the default (1, or an older
// chart's setting) or asking 2 leaves the stream at 3, while its other settings are still
// ensured. One server refuses more than one replica with an error that says so.
func TestStreamReplicasNeverDowngrade(t *testing.T) {
	ctx := context.Background()
	js := connect(t, testenv.StartNATSCluster(t, 3))
	name := "EV_" + randHex(6)
	subject := "egov.t" + randHex(3) + ".>"
	for _, step := range []struct {
		ask, want int
		ensure    func() error
	}{
		{3, 3, nil},
		{1, 3, nil},
		{2, 3, nil},
		{0, 3, func() error { _, err := EnsureStream(ctx, js, name, subject); return err }},
	} {
		var err error
		if step.ensure != nil {
			err = step.ensure()
		} else {
			_, err = EnsureStreamReplicas(ctx, js, name, step.ask, subject)
		}
		if err != nil {
			t.Fatalf("ask %d: %v", step.ask, err)
		}
		st, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.Config.Replicas != step.want || info.Config.Duplicates != DuplicateWindow {
			t.Errorf("asked %d: the stream has %d replicas (want %d), duplicates %s", step.ask, info.Config.Replicas, step.want, info.Config.Duplicates)
		}
	}

	single := connect(t, "nats://"+testenv.StartNATS(t).Addr)
	if _, err := EnsureStreamReplicas(ctx, single, "EV_"+randHex(6), 3, "egov.s"+randHex(3)+".>"); err == nil ||
		!strings.Contains(err.Error(), "3 replicas") {
		t.Errorf("one server with 3 replicas: %v, want an error naming the replicas", err)
	}
}
