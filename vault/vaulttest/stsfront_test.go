package vaulttest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const childRole = "arn:aws:iam::222222222222:role/AssumableAdmin"

// stsClient builds the client the way awsx does (LoadDefaultConfig), so the
// test covers the SDK's real error parsing and retrying.
func stsClient(t *testing.T, f *Front, akid, secret, token string, attempts int) *sts.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(akid, secret, token)),
		config.WithRetryMaxAttempts(attempts),
	)
	if err != nil {
		t.Fatal(err)
	}
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(f.URL()) })
}

func assumeRole(c *sts.Client, seconds int32) (*sts.AssumeRoleOutput, error) {
	return c.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn:         aws.String(childRole),
		RoleSessionName: aws.String("vaulttest"),
		DurationSeconds: aws.Int32(seconds),
	})
}

func wantAPIError(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got error %v, want API error %s", err, code)
	}
	if apiErr.ErrorCode() != code || apiErr.ErrorMessage() != message {
		t.Errorf("got %s %q, want %s %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, message)
	}
	var respErr *smithyhttp.ResponseError
	if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != status {
		t.Errorf("got %v, want HTTP status %d", err, status)
	}
}

func wantCount(t *testing.T, f *Front, action string, n int) {
	t.Helper()
	if got := f.Count(action); got != n {
		t.Errorf("Count(%s) = %d, want %d", action, got, n)
	}
}

func TestFrontRoleChaining(t *testing.T) {
	f := StartFront(t)
	m, _ := SharedMoto()
	akid, secret, err := m.CreateUser(fmt.Sprintf("front-role-chaining-%d", userSeq.Add(1)))
	if err != nil {
		t.Fatal(err)
	}

	// Long-term user keys get the full 8 hours: the bastion pattern.
	user := stsClient(t, f, akid, secret, "", 1)
	out, err := assumeRole(user, 28800)
	if err != nil {
		t.Fatalf("assume role with user keys: %v", err)
	}
	id, err := stsClient(t, f, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey),
		aws.ToString(out.Credentials.SessionToken), 1).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "222222222222" {
		t.Fatalf("caller identity of the assumed role: %v, %v", id, err)
	}

	role := stsClient(t, f, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey),
		aws.ToString(out.Credentials.SessionToken), 1)
	_, err = assumeRole(role, 7200)
	wantAPIError(t, err, http.StatusBadRequest, "ValidationError", RoleChainingMessage)
	if _, err := assumeRole(role, 3600); err != nil {
		t.Errorf("chained assume role for exactly 1 h: %v", err)
	}

	// A role assumed with a GetSessionToken (MFA) session is held to the
	// same hour (AWS knowledge center, "iam-role-chaining-limit").
	st, err := user.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	session := stsClient(t, f, aws.ToString(st.Credentials.AccessKeyId), aws.ToString(st.Credentials.SecretAccessKey),
		aws.ToString(st.Credentials.SessionToken), 1)
	_, err = assumeRole(session, 28800)
	wantAPIError(t, err, http.StatusBadRequest, "ValidationError", RoleChainingMessage)
	if _, err := assumeRole(session, 3600); err != nil {
		t.Errorf("assume role for 1 h with GetSessionToken keys: %v", err)
	}

	// Keys minted elsewhere (SSO role credentials) are chained once registered.
	sso := stsClient(t, f, "ASIAVAULTTESTSSO0001", "secret", "token", 1)
	if _, err := assumeRole(sso, 7200); err != nil {
		t.Errorf("assume role with unregistered keys: %v", err)
	}
	f.AddRoleKey("ASIAVAULTTESTSSO0001")
	_, err = assumeRole(sso, 7200)
	wantAPIError(t, err, http.StatusBadRequest, "ValidationError", RoleChainingMessage)

	wantCount(t, f, "AssumeRole", 7)
	wantCount(t, f, "GetSessionToken", 1)
	wantCount(t, f, "GetCallerIdentity", 1)
}

func TestFrontFailNext(t *testing.T) {
	f := StartFront(t)
	ctx := context.Background()
	in := &sts.GetCallerIdentityInput{}

	// The SDK retries a 500, so one injected failure is invisible to the caller
	// but not to the count.
	f.FailNext(1, http.StatusInternalServerError, "InternalFailure", "boom")
	if _, err := stsClient(t, f, "AKIAVAULTTEST0000001", "s", "", 3).GetCallerIdentity(ctx, in); err != nil {
		t.Fatalf("retried call: %v", err)
	}
	wantCount(t, f, "GetCallerIdentity", 2)

	once := stsClient(t, f, "AKIAVAULTTEST0000001", "s", "", 1)
	f.FailNext(1, http.StatusBadRequest, "Throttling", "Rate exceeded")
	_, err := once.GetCallerIdentity(ctx, in)
	wantAPIError(t, err, http.StatusBadRequest, "Throttling", "Rate exceeded")

	f.FailNext(2, http.StatusForbidden, "AccessDenied", "User: x is not authorized to perform: sts:AssumeRole & <more>")
	for range 2 {
		_, err = once.GetCallerIdentity(ctx, in)
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied", "User: x is not authorized to perform: sts:AssumeRole & <more>")
	}
	if _, err := once.GetCallerIdentity(ctx, in); err != nil {
		t.Errorf("call after the injected faults: %v", err)
	}
	wantCount(t, f, "GetCallerIdentity", 6)
}

func TestFrontDown(t *testing.T) {
	f := StartFront(t)
	c := stsClient(t, f, "AKIAVAULTTEST0000001", "s", "", 1)
	if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	f.Down()
	_, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("after Down got %v, want connection refused", err)
	}
	wantCount(t, f, "GetCallerIdentity", 1)
}

func TestCredentialScope(t *testing.T) {
	akid, svc := credentialScope("AWS4-HMAC-SHA256 Credential=ASIAXYZ/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=abc")
	if akid != "ASIAXYZ" || svc != "sts" {
		t.Errorf("got %q %q", akid, svc)
	}
	if akid, svc := credentialScope(""); akid != "" || svc != "" {
		t.Errorf("empty header: got %q %q", akid, svc)
	}
}

// The front records how each session was made, by its session token:
// moto gives GetSessionToken and GetFederationToken the same key id.
func TestFrontRecordsIssuedSessions(t *testing.T) {
	f := StartFront(t)
	m, _ := SharedMoto()
	akid, secret, err := m.CreateUser(fmt.Sprintf("front-issued-%d", userSeq.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	user := stsClient(t, f, akid, secret, "", 1)
	ctx := context.Background()
	want := func(c *types.Credentials, action string, chained bool) {
		t.Helper()
		i, ok := f.IssuedFor(aws.ToString(c.SessionToken))
		if !ok || i.Action != action || i.Chained != chained || i.AccessKeyID != aws.ToString(c.AccessKeyId) ||
			i.SecretAccessKey != aws.ToString(c.SecretAccessKey) {
			t.Errorf("IssuedFor = %+v, %v; want %s, chained %v, the answer's keys", i, ok, action, chained)
		}
		if last, ok := f.LastIssued(action); !ok || last != i {
			t.Errorf("LastIssued(%s) = %+v, want %+v", action, last, i)
		}
	}
	direct, err := assumeRole(user, 3600)
	if err != nil {
		t.Fatal(err)
	}
	want(direct.Credentials, "AssumeRole", false)
	role := stsClient(t, f, aws.ToString(direct.Credentials.AccessKeyId), aws.ToString(direct.Credentials.SecretAccessKey),
		aws.ToString(direct.Credentials.SessionToken), 1)
	chained, err := assumeRole(role, 3600)
	if err != nil {
		t.Fatal(err)
	}
	want(chained.Credentials, "AssumeRole", true)
	st, err := user.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	want(st.Credentials, "GetSessionToken", false)
	fed, err := user.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("awsx-test")})
	if err != nil {
		t.Fatal(err)
	}
	want(fed.Credentials, "GetFederationToken", false)
	if _, ok := f.IssuedFor("no such token"); ok {
		t.Error("an unknown session token is reported as issued")
	}
}

// Keys another fake mints count as role keys whenever that fake is asked,
// so the order the fakes start in does not matter.
func TestFrontRoleKeysFrom(t *testing.T) {
	f := StartFront(t)
	var minted sync.Map
	f.RoleKeysFrom(func(akid string) bool { _, ok := minted.Load(akid); return ok })
	sso := stsClient(t, f, "ASIAVAULTTESTSSO0002", "secret", "token", 1)
	if _, err := assumeRole(sso, 7200); err != nil {
		t.Errorf("assume role with keys nobody minted: %v", err)
	}
	minted.Store("ASIAVAULTTESTSSO0002", true)
	_, err := assumeRole(sso, 7200)
	wantAPIError(t, err, http.StatusBadRequest, "ValidationError", RoleChainingMessage)
}
