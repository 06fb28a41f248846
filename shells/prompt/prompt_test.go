package prompt

import (
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	full := Info{Profile: "prod", Account: "222222222222", Region: "eu-west-1", Expires: now.Add(7*time.Hour + 41*time.Minute + 59*time.Second)}
	cases := []struct {
		name, format string
		p            Info
		want         string
	}{
		{"default", "", full, "prod 222222222222 7h41m"},
		{"all", "{profile}@{account}/{region} ({expires_in})", full, "prod@222222222222/eu-west-1 (7h41m)"},
		{"minutes", "{expires_in}", Info{Profile: "p", Expires: now.Add(41*time.Minute + 5*time.Second)}, "41m"},
		{"seconds", "{expires_in}", Info{Profile: "p", Expires: now.Add(5 * time.Second)}, "5s"},
		{"expired", "", Info{Profile: "prod", Account: "1", Expires: now.Add(-time.Second)}, "prod 1 expired"},
		{"expires now", "{expires_in}", Info{Profile: "p", Expires: now}, "expired"},
		{"empty fields collapse", "", Info{Profile: "prod"}, "prod"},
		{"unknown placeholder", "{nope} {profile}", full, "{nope} prod"},
		{"value is not a placeholder", "{profile}", Info{Profile: "{account}", Account: "x"}, "{account}"},
		{"unclosed", "{profile", full, "{profile"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Format(c.format, c.p, now); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"AWSX_PROFILE": "prod", "AWSX_ACCOUNT_ID": "2", "AWS_DEFAULT_REGION": "r", "AWSX_EXPIRATION": "1800000060"}
	p, ok := FromEnv(func(k string) string { return env[k] })
	if !ok || p.Profile != "prod" || p.Region != "r" || p.Expires.Unix() != 1_800_000_060 {
		t.Errorf("got %+v %v", p, ok)
	}
	env["AWSX_EXPIRATION"] = "+5"
	if p, _ := FromEnv(func(k string) string { return env[k] }); !p.Expires.IsZero() {
		t.Error("accepted a non-numeric expiry")
	}
	if _, ok := FromEnv(func(string) string { return "" }); ok {
		t.Error("active without AWSX_PROFILE")
	}
}
