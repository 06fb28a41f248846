package vault

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/internal/kek"
)

// cachedProvider keeps the session of any provider in the keyring and serves
// it until minTTL before it expires. A cross-process lock around the miss
// path makes parallel invocations share one request.
type cachedProvider struct {
	v           *Vault
	item        string
	fingerprint string
	inner       aws.CredentialsProvider
	fresh       bool // skip the lookup: a new session is wanted
	interactive bool // awsx may ask the user, so it may wait as long as they take
	// requested is the session length asked for with --duration; a cached
	// session asked for with another length does not serve it.
	requested time.Duration
}

func (c *cachedProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if c.fresh {
		return c.fetch(ctx, false)
	}
	if creds, ok, err := c.lookup(); ok || err != nil {
		return creds, err
	}
	return c.fetch(ctx, true)
}

// fetch gets a new session under the lock, unless (recheck) another
// process stored one while this one waited.
func (c *cachedProvider) fetch(ctx context.Context, recheck bool) (aws.Credentials, error) {
	limit := noTerminalWait
	if c.interactive {
		limit = 0 // the person decides how long to wait
	}
	unlock, err := c.v.waitLock(ctx, c.item, "getting "+strings.TrimPrefix(c.item, items.SessionPrefix)+"'s session", limit)
	if err != nil {
		return aws.Credentials{}, err
	}
	defer unlock()
	// Another process may have fetched it while this one waited.
	if recheck {
		if creds, ok, err := c.lookup(); ok || err != nil {
			return creds, err
		}
	}
	creds, err := c.inner.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	s := storedSession{
		AccessKeyID:     creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey,
		SessionToken:    creds.SessionToken,
		Expires:         creds.Expires.UTC(),
		AccountID:       creds.AccountID,
		Fingerprint:     c.fingerprint,
		Requested:       c.requested,
		Chained:         isChained(creds),
	}
	if err := c.v.Keyring.set(c.item, "session "+c.item, s); err != nil {
		if errors.Is(err, ErrWrongPassphrase) {
			return aws.Credentials{}, err
		}
		// The credentials are good; only the next run pays for the
		// keyring being unwritable (a CI job's web identity without a
		// passphrase, say).
		c.v.noticeOnce("uncached "+c.item, "warning: %s is not cached: %v", c.item, err)
		return creds, nil
	}
	c.v.debugf("cached %s until %s", c.item, s.Expires.Format(time.RFC3339))
	return creds, nil
}

// lookup returns the cached session when it is there, belongs to the
// current configuration and is not within minTTL of its expiry. An
// unreadable item is a miss (it is fetched again and overwritten); any other
// keyring failure, such as a wrong passphrase, is an error.
func (c *cachedProvider) lookup() (aws.Credentials, bool, error) {
	var s storedSession
	ok, err := c.v.Keyring.get(c.item, &s)
	var corrupt *CorruptItemError
	switch {
	case errors.As(err, &corrupt):
		// Once: the miss path looks again after taking the lock.
		c.v.noticeOnce("unreadable "+c.item, "warning: %v", err)
		return aws.Credentials{}, false, nil
	case err != nil:
		return aws.Credentials{}, false, err
	case !ok:
		c.v.debugf("cache miss %s", c.item)
		return aws.Credentials{}, false, nil
	case s.Fingerprint != c.fingerprint:
		c.v.debugf("cache %s was made for another configuration", c.item)
		return aws.Credentials{}, false, nil
	case c.requested > 0 && s.Requested != c.requested:
		c.v.debugf("cache %s was not made for --duration %s", c.item, c.requested)
		return aws.Credentials{}, false, nil
	case !c.v.now().Add(c.v.MinTTL).Before(s.Expires):
		c.v.debugf("cache %s expires at %s, within %s", c.item, s.Expires.Format(time.RFC3339), c.v.MinTTL)
		return aws.Credentials{}, false, nil
	}
	c.v.debugf("cache hit %s, %s left", c.item, s.Expires.Sub(c.v.now()).Round(time.Second))
	if item, used := kek.HeadStart(); used && item == c.item {
		c.v.debugf("the key of %s was derived while awsx started", c.item)
	}
	creds := aws.Credentials{
		AccessKeyID:     s.AccessKeyID,
		SecretAccessKey: s.SecretAccessKey,
		SessionToken:    s.SessionToken,
		CanExpire:       true,
		Expires:         s.Expires,
		AccountID:       s.AccountID,
		Source:          "awsx cache",
	}
	if s.Chained {
		creds = markChained(creds)
	}
	return creds, true, nil
}
