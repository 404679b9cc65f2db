package podrun

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/podimport/podimport/importer"
	_ "github.com/podimport/podimport/plugins/twitterarchive" // a plugin without an account option or secrets
)

// The fuzz targets feed LoadJob and LoadPod every variable they read. Their
// seeds are the cases of env_test.go. Besides "no panic", they check the
// secrets rule: an error never depends on a secret it was given. Each
// environment is read twice, the second time with the letters and digits
// of every secret changed (same length, same JSON shape), and both reads
// must fail with the very same message, or both succeed; a message that
// quoted a secret, or any part of one, would differ.
//
// The secrets are the values of the plugins' secret options, from their
// environment variables and from PODIMPORT_OPTIONS, and POD_AUTH_JSON;
// POD_OWNER, the pod's key in its URLs, is treated as one too.

// secretPlaceholder in a fuzzed PODIMPORT_OPTIONS, as the value of a secret
// option ("access-token": "$SECRET"), is replaced by the JSON string of the
// fuzzed secret.
const secretPlaceholder = `"$SECRET"`

// FuzzLoadJob: LoadJob never panics; it refuses with an ErrConfig whose
// message starts with the name of a variable it read, and that does not
// depend on the secrets; what it accepts names the plugin, has a value for
// every option, and lists every secret value it holds in Secrets.
func FuzzLoadJob(f *testing.F) {
	opts := `{"api-base": "http://127.0.0.1:1/1.1", "followings-tweets": 7, "likes": true, "access-token": "$SECRET", "no-wait": true}`
	for _, s := range [][5]string{ // plugin, account, store, options, secret
		{"twitter", "Alice", "", opts, secretToken},
		{"twitter", "", "/elsewhere", "", ""},
		{"twitter", "", "", "", secretToken},
		{"", "", "", "", ""},
		{"myspace", "", "", "", ""},
		{" twitter-archive ", "", "", `{"path": "/archive.zip", "no-media": "true"}`, ""},
		{"twitter-archive", "alice", "", "", ""},
		{"twitter", "", "", "{\"user\": \"a\",\n \"access-token\": " + secretToken + "}", secretToken},
		{"twitter", "", "", `{"user": "a", "consumer-key": "$SECRET", "access-secret": "$SECRET"`, secretToken},
		{"twitter", "", "", `{"user": "a"`, ""},
		{"twitter", "", "", `["user"]`, ""},
		{"twitter", "", "", `"$SECRET"`, secretToken},
		{"twitter", "", "", `{} {}`, ""},
		{"twitter", "", "", `{"usr": "a", "apibase": "x", "likes": false}`, ""},
		{"twitter", "", "", `{"access-token": {"v": "$SECRET"}}`, secretToken},
		{"twitter", "", "", `{"access-token": ["$SECRET"], "consumer-secret": "$SECRET"}`, secretToken},
		{"twitter", "", "", `{"no-wait": "sometimes"}`, ""},
		{"twitter", "", "", `{"no-wait": 1, "likes": null, "user": 12345678901234567890}`, ""},
		{"twitter", "alice", "", `{"user": "bob"}`, ""},
		{"twitter", "alice", "", `{"user": "alice", "access-token" : "$SECRET"}`, "abc"},
		{"twitter", "", "", "\ufeff{}", ""},
		{"twitter", "", "", `{"access-token": "$SECRET", "access-token": 1e999}`, secretToken},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, plugin, account, store, options, secret string) {
		env := func(secret string) map[string]string {
			m := map[string]string{
				EnvPlugin: plugin, EnvAccount: account, EnvStore: store,
				EnvOptions:     plantSecret(options, secret),
				"TWITTER_USER": "from-env",
			}
			for _, o := range allOptions() {
				if o.Secret {
					for _, name := range o.EnvVars {
						m[name] = secret
					}
				}
			}
			return m
		}
		getenv, read := recordEnv(env(secret))
		j, err := LoadJob(getenv)
		j2, err2 := LoadJob(envOf(env(rot(secret))))
		if err != nil {
			checkEnvError(t, err, *read)
			if err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("the error depends on the secrets:\n%v\nwith other secrets:\n%v", err, err2)
			}
			return
		}
		if err2 != nil {
			t.Fatalf("LoadJob accepts the environment, but not with other secrets: %v", err2)
		}
		if j.Plugin == nil || j.Plugin.Name() != strings.TrimSpace(plugin) || j2.Plugin != j.Plugin {
			t.Fatalf("PODIMPORT_PLUGIN %q: plugin %v", plugin, j.Plugin)
		}
		if want := cmpOr(store, DefaultStore); j.Store != want || j2.Store != want {
			t.Fatalf("PODIMPORT_STORE %q: store %q", store, j.Store)
		}
		if j2.NoWait != j.NoWait || len(j2.Secrets) != len(j.Secrets) {
			t.Fatalf("other secrets give another job: %+v, %+v", j, j2)
		}
		for _, o := range j.Plugin.Options() {
			v, ok := j.Values[o.Name]
			if !ok {
				t.Fatalf("no value for the option %s", o.Name)
			}
			if o.Secret && v != "" && !slices.Contains(j.Secrets, v) {
				t.Fatalf("the value of the secret option %s is not in Secrets", o.Name)
			}
			if !o.Secret && j2.Values[o.Name] != v {
				t.Fatalf("option %s: %q, and with other secrets %q", o.Name, v, j2.Values[o.Name])
			}
		}
		if acct := strings.TrimSpace(account); acct != "" && j.Values[importer.AccountOption(j.Plugin)] != acct {
			t.Fatalf("PODIMPORT_ACCOUNT %q: values %v", account, j.Values)
		}
	})
}

// FuzzLoadPod: LoadPod never panics; it refuses with an ErrConfig whose
// message starts with the name of a variable it read, and that does not
// depend on POD_AUTH_JSON's strings nor on POD_OWNER; what it accepts has
// an http(s) address, an owner that is a path segment, a run id, a positive
// poll interval, an auth object with a "type", and POD_AUTH_JSON among its
// secrets.
func FuzzLoadPod(f *testing.F) {
	const auth = `{"data": {"nonce": "0123456789abcdef0123456789abcdef0123456789abcdef", "encryptedPermissions": "feedfacefeedface"}}`
	type podEnv struct{ addr, owner, auth, runID, target, poll string }
	base := podEnv{"http://localhost:3030/", "ownerkey", auth, "run1", `{"type": "PluginRun", "id": "run2"}`, ""}
	with := func(change func(*podEnv)) podEnv { e := base; change(&e); return e }
	for _, e := range []podEnv{
		base,
		{},
		with(func(e *podEnv) { e.runID, e.poll = "", "250ms" }),
		with(func(e *podEnv) { e.auth = `{"type":"PluginAuth","data":{"nonce":"n1"}}` }),
		with(func(e *podEnv) { e.auth = `{"nonce":"n1","encryptedPermissions":"e1"}` }),
		with(func(e *podEnv) { e.auth = ` "feedfacefeedface" ` }),
		with(func(e *podEnv) { e.auth = `[1, "feedface", {"k": "\u0066eedface\n"}]` }),
		with(func(e *podEnv) { e.owner = "" }),
		with(func(e *podEnv) { e.owner = "owner/key?x#y" }),
		with(func(e *podEnv) { e.addr = "localhost:3030" }),
		with(func(e *podEnv) { e.addr = " https://pod.example/// " }),
		with(func(e *podEnv) { e.auth = "" }),
		with(func(e *podEnv) { e.auth = `{"data": ` }),
		with(func(e *podEnv) { e.auth = `{"data": "feedface\x01"}` }),
		with(func(e *podEnv) { e.runID, e.target = "", "" }),
		with(func(e *podEnv) { e.runID, e.target = "", `{"type": "Person", "id": "p1"}` }),
		with(func(e *podEnv) { e.runID, e.target = "", `{"type": "PluginRun"` }),
		with(func(e *podEnv) { e.runID, e.target = "", `{"type": "PluginRun", "id": 7}` }),
		with(func(e *podEnv) { e.runID, e.target = "", `{"type": "PluginRun", "id": ""}` }),
		with(func(e *podEnv) { e.poll = "often" }),
		with(func(e *podEnv) { e.poll = "-5s" }),
	} {
		f.Add(e.addr, e.owner, e.auth, e.runID, e.target, e.poll)
	}
	f.Fuzz(func(t *testing.T, addr, owner, auth, runID, target, poll string) {
		env := func(owner, auth string) map[string]string {
			return map[string]string{
				EnvPodAddress: addr, EnvPodOwner: owner, EnvPodAuth: auth,
				EnvPodRunID: runID, EnvPodTarget: target, EnvPollInterval: poll,
			}
		}
		getenv, read := recordEnv(env(owner, auth))
		pod, err := LoadPod(getenv)
		pod2, err2 := LoadPod(envOf(env(rot(owner), rotJSON(auth))))
		if err != nil {
			checkEnvError(t, err, *read)
			if err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("the error depends on POD_AUTH_JSON or POD_OWNER:\n%v\nwith others:\n%v", err, err2)
			}
			return
		}
		if err2 != nil || (pod == nil) != (pod2 == nil) {
			t.Fatalf("LoadPod accepts the environment (%v), but not with another auth and owner: %v, %v", pod, pod2, err2)
		}
		if pod == nil {
			if strings.TrimRight(strings.TrimSpace(addr), "/") != "" {
				t.Fatalf("POD_FULL_ADDRESS %q: no pod", addr)
			}
			return
		}
		if !strings.HasPrefix(pod.Address, "http://") && !strings.HasPrefix(pod.Address, "https://") || strings.HasSuffix(pod.Address, "/") {
			t.Fatalf("POD_FULL_ADDRESS %q: address %q", addr, pod.Address)
		}
		if pod.Owner == "" || strings.ContainsAny(pod.Owner, "/?#") {
			t.Fatalf("POD_OWNER %q: owner %q", owner, pod.Owner)
		}
		if pod.RunID == "" || pod.PollInterval <= 0 {
			t.Fatalf("run id %q, poll interval %v", pod.RunID, pod.PollInterval)
		}
		var a map[string]json.RawMessage
		if err := json.Unmarshal(pod.Auth, &a); err != nil || a["type"] == nil {
			t.Fatalf("POD_AUTH_JSON %q: auth %s, not an object with a type (%v)", auth, pod.Auth, err)
		}
		if !slices.Contains(pod.Secrets, strings.TrimSpace(auth)) {
			t.Fatalf("POD_AUTH_JSON is not among the secrets %q", pod.Secrets)
		}
		if pod2.Address != pod.Address || pod2.RunID != pod.RunID || pod2.PollInterval != pod.PollInterval || len(pod2.Secrets) != len(pod.Secrets) {
			t.Fatalf("another auth and owner give another pod: %+v, %+v", pod, pod2)
		}
	})
}

// recordEnv returns a Getenv over kv and the names it is asked for.
func recordEnv(kv map[string]string) (Getenv, *[]string) {
	var read []string
	return func(name string) string {
		read = append(read, name)
		return kv[name]
	}, &read
}

// checkEnvError checks a refusal: a configuration error whose message
// starts with the name of one of the variables read.
func checkEnvError(t *testing.T, err error, read []string) {
	t.Helper()
	if !errors.Is(err, importer.ErrConfig) {
		t.Fatalf("error %v (%T) is not an ErrConfig", err, err)
	}
	msg, ok := strings.CutPrefix(err.Error(), importer.ErrConfig.Error()+": ")
	if !ok {
		t.Fatalf("error %q does not start with %q", err, importer.ErrConfig.Error())
	}
	for _, name := range read {
		if rest, ok := strings.CutPrefix(msg, name); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, ":")) && len(rest) > 5 {
			return
		}
	}
	t.Fatalf("error %q does not name a variable it read (%v)", err, read)
}

// allOptions returns every option of the registered plugins.
func allOptions() []importer.Option {
	var out []importer.Option
	for _, p := range importer.Plugins() {
		out = append(out, p.Options()...)
	}
	return out
}

// plantSecret replaces secretPlaceholder by secret's JSON string wherever
// it is the value of a secret option in options, or the first thing in it.
func plantSecret(options, secret string) string {
	if !strings.Contains(options, secretPlaceholder) {
		return options
	}
	var names []string
	for _, o := range allOptions() {
		if o.Secret {
			names = append(names, regexp.QuoteMeta(o.Name))
		}
	}
	// "access-token": "$SECRET", or nested: "access-token": [{"v": "$SECRET"
	re := regexp.MustCompile(`("(?:` + strings.Join(names, "|") + `)"\s*:\s*(?:[\[{]\s*(?:"[^"\\]*"\s*:\s*)?)*)` +
		regexp.QuoteMeta(secretPlaceholder))
	quoted, err := json.Marshal(secret)
	if err != nil {
		panic(err)
	}
	return re.ReplaceAllStringFunc(options, func(m string) string {
		return re.FindStringSubmatch(m)[1] + string(quoted)
	})
}

// rot changes every ASCII letter and digit of s to another: the same
// length, and the same JSON once quoted.
func rot(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = rotByte(c)
	}
	return string(b)
}

func rotByte(c byte) byte {
	switch {
	case 'a' <= c && c <= 'z':
		return 'a' + (c-'a'+13)%26
	case 'A' <= c && c <= 'Z':
		return 'A' + (c-'A'+13)%26
	case '0' <= c && c <= '9':
		return '0' + (c-'0'+5)%10
	}
	return c
}

// rotJSON changes the letters and digits inside the strings of a JSON text
// (not their escape sequences), and the digits 1-9 outside them among
// themselves: JSON stays JSON, and text that is not JSON is not, at the
// same byte.
func rotJSON(s string) string {
	b := []byte(s)
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case !in && c == '"':
			in = true
		case !in:
			if '1' <= c && c <= '9' {
				b[i] = '1' + (c-'1'+4)%9
			}
		case c == '\\':
			i++ // the escaped byte
			if i < len(b) && b[i] == 'u' {
				i += 4
			}
		case c == '"':
			in = false
		default:
			b[i] = rotByte(c)
		}
	}
	return string(b)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
