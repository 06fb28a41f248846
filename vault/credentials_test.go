package vault

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsx-cli/awsx/internal/items"
)

// The provider that assumed a role marks the session chained, and the mark
// outlives the keyring cache: a cache hit tells the console as much as the
// fresh session did.
func TestCacheKeepsTheChainedMark(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, chained := range []bool{true, false} {
		v := &Vault{Keyring: fileRing(t, t.TempDir(), "correct horse"), Locker: Locker{Dir: t.TempDir()},
			Now: func() time.Time { return now }, MinTTL: DefaultMinTTL}
		creds := aws.Credentials{AccessKeyID: "ASIAROLE", SecretAccessKey: "s", SessionToken: "t", CanExpire: true,
			Expires: now.Add(time.Hour), Source: "AssumeRole"}
		if chained {
			creds = markChained(creds)
		}
		inner := &countingProvider{creds: creds}
		for i := range 2 {
			c := &cachedProvider{v: v, item: items.Session("prod"), fingerprint: "fp", inner: inner}
			got, err := c.Retrieve(context.Background())
			if err != nil || isChained(got) != chained {
				t.Errorf("chained %v, retrieval %d: marked %v, %v", chained, i, isChained(got), err)
			}
		}
		if inner.calls != 1 {
			t.Errorf("chained %v: %d fetches, want one and a cache hit", chained, inner.calls)
		}
	}
	if c := markChained(markChained(aws.Credentials{Source: "AssumeRole"})); c.Source != "AssumeRole"+chainedMark {
		t.Errorf("marked twice: Source %q", c.Source)
	}
}
