package main

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Sign-in starts per client: a burst of signInBurst, then signInPerMinute
// a minute. Each start is a new session and a new transaction at the org.
const (
	signInBurst     = 10
	signInPerMinute = 10
	// maxTrackedClients bounds the limiter's memory.
	maxTrackedClients = 100_000
)

// clientLimiter is a token bucket per client: burst requests at once,
// then perMinute a minute. It keeps at most max clients; a client whose
// bucket has filled up again is forgotten, as it is the same as a new one.
type clientLimiter struct {
	burst, perMinute float64
	max              int
	now              func() time.Time

	mu        sync.Mutex
	m         map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newClientLimiter(burst, perMinute, max int, now func() time.Time) *clientLimiter {
	return &clientLimiter{burst: float64(burst), perMinute: float64(perMinute), max: max, now: now, m: map[string]*bucket{}}
}

// refill returns b's tokens at now.
func (l *clientLimiter) refill(b *bucket, now time.Time) float64 {
	return min(l.burst, b.tokens+now.Sub(b.last).Minutes()*l.perMinute)
}

// allow takes one token of client's bucket and reports whether there was
// one. When max clients are tracked, all with buckets still refilling, a
// new client is let through untracked: the limiter then no longer tells
// clients apart, and shutting out everyone new would be worse (the
// session store's own bound still holds).
func (l *clientLimiter) allow(client string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= time.Minute {
		l.sweepLocked(now)
	}
	b, ok := l.m[client]
	if !ok {
		if len(l.m) >= l.max {
			l.sweepLocked(now)
		}
		if len(l.m) >= l.max {
			return true
		}
		b = &bucket{tokens: l.burst, last: now}
		l.m[client] = b
	}
	b.tokens, b.last = l.refill(b, now), now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweepLocked forgets the clients whose buckets are full again.
func (l *clientLimiter) sweepLocked(now time.Time) {
	for k, b := range l.m {
		if l.refill(b, now) >= l.burst {
			delete(l.m, k)
		}
	}
	l.lastSweep = now
}

// clientKey names the client of r for rate limits: the IP address of the
// connection, or its /64 for IPv6 (one subscriber's usual share). Behind
// a reverse proxy every request comes from the proxy's address: limit
// there, or key on the address the proxy forwards (only a header your own
// proxy sets; clients can send any X-Forwarded-For).
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip4 := ip.To4(); ip4 != nil {
		return ip4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
