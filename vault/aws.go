package vault

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// awsConfig builds the SDK configuration for calls made on behalf of
// profile p with credentials creds. It goes through LoadDefaultConfig with
// the profile's own section, so region, endpoint_url, services and the
// AWS_ENDPOINT_URL* variables mean what they mean to the SDK.
func (v *Vault) awsConfig(ctx context.Context, p *Profile, region string, creds aws.CredentialsProvider) (cfg aws.Config, err error) {
	overlay, done, err := credentialsOverlay(v.Config.keyringUsers())
	if err != nil {
		return aws.Config{}, err
	}
	defer done()
	defer recoverSDKParse(v.Config.Path, &err)
	if region == "" {
		region = effectiveRegion(p)
	}
	if region == "" {
		region = firstNonEmpty(v.getenv("AWS_REGION"), v.getenv("AWS_DEFAULT_REGION"), "us-east-1")
	}
	opts := []func(*config.LoadOptions) error{
		config.WithSharedConfigFiles(v.Config.configFiles()),
		config.WithSharedCredentialsFiles([]string{overlay}),
		config.WithRegion(region),
		config.WithCredentialsProvider(creds),
		// STS, SSO and IAM answer in well under a second; an endpoint that
		// has not answered in attemptTimeout is not going to.
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = 3 * time.Second }).
			WithTimeout(attemptTimeout)),
		// Throttling, 5xx and refused connections are retried with the SDK's
		// own backoff; three attempts keep an unreachable endpoint's failure
		// within seconds. A timed-out attempt is not retried: the user would
		// wait three times as long for the same answer.
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.MaxBackoff = 2 * time.Second
				o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(noRetryOnTimeout)}, o.Retryables...)
			})
		}),
	}
	if p != nil && v.Config.Has(p.Name) {
		opts = append(opts, config.WithSharedConfigProfile(p.Name))
	}
	opts = append(opts, config.WithAPIOptions([]func(*middleware.Stack) error{addClockCheck}))
	cfg, err = config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %v", err)
	}
	return cfg, nil
}

// maxClockSkew is how far AWS lets a request's signing time be from its
// own clock.
const maxClockSkew = 5 * time.Minute

// ClockSkewError means this machine's clock is more than maxClockSkew from
// AWS's, by the Date of an answer. The SDK would quietly sign with AWS's
// time instead, but awsx judges every session's time left by this clock:
// 10 minutes behind, it would hand out sessions that have already ended.
type ClockSkewError struct {
	Skew     time.Duration // AWS's time minus this machine's
	Endpoint string
}

func (e *ClockSkewError) Error() string {
	off, way := e.Skew, "behind"
	if off < 0 {
		off, way = -off, "ahead of"
	}
	// AWS's time comes from a Date header, to the second: minutes are
	// what the user can act on.
	by := ""
	if e.Endpoint != "" {
		by = " (by the Date of " + e.Endpoint + "'s answer)"
	}
	return fmt.Sprintf("this machine's clock is about %d minutes %s AWS's%s; set it right, e.g. with NTP: AWS refuses requests signed more than 5 minutes off, and awsx times sessions by this clock",
		int(off.Round(time.Minute)/time.Minute), way, by)
}

// checkClock compares the Date of an answer from AWS with this machine's
// clock.
func checkClock(resp *http.Response) error {
	if resp == nil {
		return nil
	}
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return nil
	}
	if skew := time.Until(date); skew > maxClockSkew || skew < -maxClockSkew {
		endpoint := ""
		if resp.Request != nil {
			endpoint = endpointOf(resp.Request.URL.String())
		}
		return &ClockSkewError{Skew: skew, Endpoint: endpoint}
	}
	return nil
}

// addClockCheck puts checkClock on every answer an SDK client reads,
// before its own clock-skew correction can retry with AWS's time.
func addClockCheck(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("awsxClockCheck",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil {
				if cerr := checkClock(resp.Response); cerr != nil {
					return out, md, cerr
				}
			}
			return out, md, err
		}), middleware.After)
}

// attemptTimeout bounds one request to AWS, from dialling to the end of
// the answer.
const attemptTimeout = 5 * time.Second

func noRetryOnTimeout(err error) aws.Ternary {
	var to interface{ Timeout() bool }
	if errors.As(err, &to) && to.Timeout() {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

func (v *Vault) stsClient(ctx context.Context, p *Profile, creds aws.CredentialsProvider) (*sts.Client, error) {
	cfg, err := v.awsConfig(ctx, p, "", creds)
	if err != nil {
		return nil, err
	}
	return sts.NewFromConfig(cfg), nil
}

func firstNonEmpty(vals ...string) string {
	for _, s := range vals {
		if s != "" {
			return s
		}
	}
	return ""
}

// describeAWSError reduces an SDK error to what a user can act on: the
// service's error code and message, or the endpoint that could not be
// reached.
func describeAWSError(err error) string {
	var skew *ClockSkewError
	if errors.As(err, &skew) {
		return skew.Error()
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		msg := api.ErrorCode()
		if m := api.ErrorMessage(); m != "" {
			msg += ": " + m
		}
		if isClockSkew(api) {
			msg += " (is this machine's clock more than 5 minutes off?)"
		}
		return msg
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		reason := uerr.Err.Error()
		var op *net.OpError
		if errors.As(uerr.Err, &op) && op.Err != nil {
			reason = op.Err.Error()
			var sys *os.SyscallError
			if errors.As(op.Err, &sys) {
				reason = sys.Err.Error()
			}
		}
		u := endpointOf(uerr.URL)
		if uerr.Timeout() {
			return fmt.Sprintf("no answer from %s within %s; check the network, or AWS_ENDPOINT_URL* and endpoint_url", u, attemptTimeout)
		}
		return fmt.Sprintf("cannot reach %s (%s); check the network, or AWS_ENDPOINT_URL* and endpoint_url", u, reason)
	}
	// An answer that is not AWS's (a proxy's error page, a wrong port):
	// the SDK only says it could not parse it.
	var rerr *awshttp.ResponseError
	if errors.As(err, &rerr) && rerr.Response != nil && rerr.Response.Request != nil {
		return fmt.Sprintf("%s answered HTTP %d, not as AWS does; check AWS_ENDPOINT_URL* and endpoint_url",
			endpointOf(rerr.Response.Request.URL.String()), rerr.HTTPStatusCode())
	}
	return err.Error()
}

// endpointOf keeps a URL's scheme and host: what the user configured.
func endpointOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Scheme + "://" + pu.Host
	}
	return u
}

// isClockSkew recognises AWS's answers to a request signed with a clock
// more than 5 minutes off. A SignatureDoesNotMatch without "Signature
// expired" is a wrong secret key, not the clock, and AWS's message says so.
func isClockSkew(api smithy.APIError) bool {
	switch api.ErrorCode() {
	case "RequestExpired", "RequestTimeTooSkewed":
		return true
	}
	m := api.ErrorMessage()
	return strings.Contains(m, "Signature expired") || strings.Contains(m, "Signature not yet current")
}
