package secret

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gatedSource holds every Read until release is closed, counting reads.
type gatedSource struct {
	reads   atomic.Int32
	release chan struct{}
}

func (g *gatedSource) Read(ctx context.Context) ([]byte, error) {
	g.reads.Add(1)
	select {
	case <-g.release:
		return []byte(`{"client_id":"id","client_secret":"sec"}`), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// newGatedStore returns a store over a gated source whose joined hook counts
// down wg, so a test knows when its callers are all waiting on the read.
func newGatedStore(wg *sync.WaitGroup) (*Store, *gatedSource) {
	src := &gatedSource{release: make(chan struct{})}
	epoch := time.Unix(1_700_000_000, 0)
	s := NewStore(src, time.Minute, func() time.Time { return epoch })
	s.joined = wg.Done
	return s, src
}

func TestStoreCallersShareTheReadInFlight(t *testing.T) {
	for _, op := range []struct {
		name string
		call func(*Store, context.Context) (Bundle, error)
	}{
		{"Get", (*Store).Get},
		{"Refresh", (*Store).Refresh},
	} {
		t.Run(op.name, func(t *testing.T) {
			const callers = 50
			var joined sync.WaitGroup
			joined.Add(callers)
			s, src := newGatedStore(&joined)

			results := make(chan error, callers)
			for range callers {
				go func() {
					_, err := op.call(s, t.Context())
					results <- err
				}()
			}
			joined.Wait()
			close(src.release)

			for range callers {
				if err := <-results; err != nil {
					t.Errorf("%s() error = %v", op.name, err)
				}
			}
			if got := src.reads.Load(); got != 1 {
				t.Errorf("%d concurrent %s calls made %d reads, want 1", callers, op.name, got)
			}
		})
	}
}

func TestStoreWaiterLeavesWhenItsContextEnds(t *testing.T) {
	var joined sync.WaitGroup
	joined.Add(2)
	s, src := newGatedStore(&joined)

	patient := make(chan error, 1)
	go func() {
		_, err := s.Get(t.Context())
		patient <- err
	}()
	ctx, cancel := context.WithCancel(t.Context())
	impatient := make(chan error, 1)
	go func() {
		_, err := s.Get(ctx)
		impatient <- err
	}()
	joined.Wait()

	cancel()
	err := <-impatient
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller error = %v, want ErrUnavailable and context.Canceled", err)
	}

	close(src.release)
	if err := <-patient; err != nil {
		t.Errorf("patient caller error = %v, want the shared read's result", err)
	}
	if got := src.reads.Load(); got != 1 {
		t.Errorf("reads = %d, want 1", got)
	}
}
