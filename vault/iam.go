package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
)

// iamClient makes the two IAM calls `awsx rotate` needs, CreateAccessKey
// and DeleteAccessKey, over IAM's Query API. The SDK's IAM package would
// do it too, but every awsx process would pay for linking it: its
// generated schemas cost about 0.7 ms and a megabyte of memory at every
// start, and awsx starts at every credential_process call, for a command
// run a few times a year. Everything else is the SDK's: the configuration
// from LoadDefaultConfig, the endpoint overrides (AWS_ENDPOINT_URL_IAM,
// AWS_ENDPOINT_URL, endpoint_url, [services]), credentials, SigV4, the
// HTTP client and the retryer.
type iamClient struct {
	cfg      aws.Config
	endpoint string
	region   string // the region requests are signed for
}

func newIAMClient(ctx context.Context, cfg aws.Config) *iamClient {
	endpoint, region := iamEndpoint(ctx, cfg)
	return &iamClient{cfg: cfg, endpoint: endpoint, region: region}
}

// serviceEndpoints is what the SDK's EnvConfig and SharedConfig answer for
// AWS_ENDPOINT_URL_<SERVICE> and a [services] section.
type serviceEndpoints interface {
	GetServiceBaseEndpoint(ctx context.Context, sdkID string) (string, bool, error)
}

// iamEndpoint resolves IAM's endpoint the way the SDK's generated clients
// do: a service-specific override, else the global one, signed for the
// configured region; else the partition's global IAM endpoint, signed for
// the partition's first region.
func iamEndpoint(ctx context.Context, cfg aws.Config) (endpoint, signingRegion string) {
	if custom, ok := iamOverride(ctx, cfg); ok {
		return custom, firstNonEmpty(cfg.Region, "us-east-1")
	}
	switch {
	case strings.HasPrefix(cfg.Region, "us-gov-"):
		return "https://iam.us-gov.amazonaws.com", "us-gov-west-1"
	case strings.HasPrefix(cfg.Region, "cn-"):
		return "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1"
	}
	return "https://iam.amazonaws.com", "us-east-1"
}

// iamOverride is the endpoint configured for IAM, if any.
func iamOverride(ctx context.Context, cfg aws.Config) (string, bool) {
	globalEnv := false
	for _, src := range cfg.ConfigSources {
		if ignore, ok := src.(interface {
			GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
		}); ok {
			if v, found, _ := ignore.GetIgnoreConfiguredEndpoints(ctx); found && v {
				return "", false
			}
		}
		if env, ok := src.(config.EnvConfig); ok && env.BaseEndpoint != "" {
			globalEnv = true
		}
	}
	for _, src := range cfg.ConfigSources {
		p, ok := src.(serviceEndpoints)
		if !ok {
			continue
		}
		if u, found, err := p.GetServiceBaseEndpoint(ctx, "IAM"); err == nil && found {
			// As in the SDK: AWS_ENDPOINT_URL wins over a config file's
			// [services] entry, not over AWS_ENDPOINT_URL_IAM.
			if _, fromEnv := src.(config.EnvConfig); globalEnv && !fromEnv {
				break
			}
			return u, true
		}
	}
	if cfg.BaseEndpoint != nil {
		return *cfg.BaseEndpoint, true
	}
	return "", false
}

// iamAccessKey is the key CreateAccessKey returns.
type iamAccessKey struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
}

// createAccessKey makes a new access key for the caller's IAM user.
func (c *iamClient) createAccessKey(ctx context.Context) (iamAccessKey, error) {
	var out struct {
		Key iamAccessKey `xml:"CreateAccessKeyResult>AccessKey"`
	}
	// Not retried: an attempt that IAM carried out but whose answer was
	// lost would leave a key nobody holds, and the retry would meet the
	// two-keys limit.
	if err := c.call(ctx, "CreateAccessKey", nil, &out, false); err != nil {
		return iamAccessKey{}, err
	}
	if out.Key.AccessKeyID == "" || out.Key.SecretAccessKey == "" {
		return iamAccessKey{}, fmt.Errorf("IAM answered CreateAccessKey without a key")
	}
	return out.Key, nil
}

// deleteAccessKey deletes one of the caller's access keys.
func (c *iamClient) deleteAccessKey(ctx context.Context, id string) error {
	return c.call(ctx, "DeleteAccessKey", url.Values{"AccessKeyId": {id}}, nil, true)
}

// call runs one Query API action; an idempotent one is retried as the
// retryer of cfg decides.
func (c *iamClient) call(ctx context.Context, action string, params url.Values, out any, idempotent bool) error {
	form := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
	for k, v := range params {
		form[k] = v
	}
	body := form.Encode()
	retryer := c.cfg.Retryer()
	for attempt := 1; ; attempt++ {
		err := c.send(ctx, body, out)
		if err == nil || !idempotent || attempt >= retryer.MaxAttempts() || !retryer.IsErrorRetryable(err) {
			return err
		}
		delay, derr := retryer.RetryDelay(attempt, err)
		if derr != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
	}
}

func (c *iamClient) send(ctx context.Context, body string, out any) error {
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("IAM endpoint %q: %w", c.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", c.region, time.Now()); err != nil {
		return err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := checkClock(resp); err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return iamErrorFrom(resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(out); err != nil {
		return fmt.Errorf("IAM's answer from %s is not XML: %v", c.endpoint, err)
	}
	return nil
}

// iamError is an IAM error answer; it tells the SDK's retryer the HTTP
// status as well as the error code, so 5xx and throttling are retried.
type iamError struct {
	smithy.GenericAPIError
	status int
}

func (e *iamError) HTTPStatusCode() int { return e.status }

func iamErrorFrom(status int, body []byte) error {
	var doc struct {
		Type    string `xml:"Error>Type"`
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	e := &iamError{status: status}
	if xml.Unmarshal(body, &doc) == nil && doc.Code != "" {
		e.Code, e.Message = doc.Code, doc.Message
	} else {
		e.Code, e.Message = http.StatusText(status), fmt.Sprintf("HTTP %d", status)
	}
	e.Fault = smithy.FaultClient
	if doc.Type == "Receiver" || status >= 500 {
		e.Fault = smithy.FaultServer
	}
	return e
}
