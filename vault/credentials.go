// Package vault knows where credentials come from: the profiles of the AWS
// config file, the keyring that holds every secret and session, and the
// sources (IAM user keys, MFA sessions, roles, SSO, processes) that turn a
// profile into short-lived credentials. It never prints or formats for a shell.
package vault

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsx-cli/awsx/vault/creds"
)

// Credentials is what a command receives for a profile; see package creds.
type Credentials = creds.Credentials

// chainedMark ends aws.Credentials.Source for a role-chained session: the
// SDK's credentials type has no other place for it, and the mark has to
// pass from the provider that assumed the role, through the cache, to the
// command that needs to know.
const chainedMark = " (role chaining)"

// markChained marks c as a role-chained session.
func markChained(c aws.Credentials) aws.Credentials {
	if !isChained(c) {
		c.Source += chainedMark
	}
	return c
}

// isChained reports whether c was marked as a role-chained session.
func isChained(c aws.Credentials) bool { return strings.HasSuffix(c.Source, chainedMark) }
