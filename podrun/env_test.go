package podrun

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/podimport/podimport/importer"
	_ "github.com/podimport/podimport/plugins/twitter"
)

func envOf(kv map[string]string) Getenv {
	return func(k string) string { return kv[k] }
}

const secretToken = "1000000000000000001-sEcReTtOkEnNeVeRlOgGeD"

func TestLoadJob(t *testing.T) {
	j, err := LoadJob(envOf(map[string]string{
		"PODIMPORT_PLUGIN":        "twitter",
		"PODIMPORT_ACCOUNT":       "Alice",
		"PODIMPORT_OPTIONS":       `{"api-base": "http://127.0.0.1:1/1.1", "followings-tweets": 7, "likes": true, "access-token": "` + secretToken + `", "no-wait": true}`,
		"TWITTER_CONSUMER_KEY":    "ck-from-env",
		"TWITTER_CONSUMER_SECRET": "cs-from-env",
		"TWITTER_ACCESS_TOKEN":    "ignored: PODIMPORT_OPTIONS names it",
		"TWITTER_ACCESS_SECRET":   "as-from-env",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := importer.Values{
		"user": "Alice", "api-base": "http://127.0.0.1:1/1.1", "followings-tweets": "7", "likes": "true",
		"consumer-key": "ck-from-env", "consumer-secret": "cs-from-env", "access-token": secretToken, "access-secret": "as-from-env",
	}
	for k, v := range want {
		if j.Values[k] != v {
			t.Errorf("Values[%q] = %q, want %q", k, j.Values[k], v)
		}
	}
	if j.Plugin.Name() != "twitter" || j.Store != "/data" || !j.NoWait {
		t.Errorf("plugin %s, store %q, no-wait %v", j.Plugin.Name(), j.Store, j.NoWait)
	}
	if len(j.Secrets) != 4 {
		t.Errorf("secrets: %d, want the 4 credentials", len(j.Secrets))
	}
	if _, err := j.Plugin.New(j.Values); err != nil {
		t.Errorf("the values do not make a job: %v", err)
	}

	// Defaults and the store.
	j, err = LoadJob(envOf(map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_STORE": "/elsewhere"}))
	if err != nil {
		t.Fatal(err)
	}
	if j.Store != "/elsewhere" || j.Values["followings-tweets"] != "5" || j.Values["api-base"] != "https://api.twitter.com/1.1" || j.NoWait {
		t.Errorf("defaults: store %q, values %v, no-wait %v", j.Store, j.Values, j.NoWait)
	}
}

func TestLoadJobErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no plugin", nil, "PODIMPORT_PLUGIN is not set"},
		{"unknown plugin", map[string]string{"PODIMPORT_PLUGIN": "myspace"}, `PODIMPORT_PLUGIN: unknown plugin "myspace"`},
		{"bad JSON", map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_OPTIONS": "{\"user\": \"a\",\n \"access-token\": " + secretToken + "}"},
			"PODIMPORT_OPTIONS: invalid JSON at byte 51 (line 2, column 37)"},
		{"truncated JSON", map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_OPTIONS": `{"user": "a"`},
			"PODIMPORT_OPTIONS: invalid JSON at byte 12: unexpected end"},
		{"not an object", map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_OPTIONS": `["user"]`},
			"PODIMPORT_OPTIONS: want a JSON object, not array"},
		{"trailing", map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_OPTIONS": `{} {}`},
			"PODIMPORT_OPTIONS: invalid JSON: more after the object"},
		{"unknown options", map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_OPTIONS": `{"usr": "a", "apibase": "x", "likes": false}`},
			`PODIMPORT_OPTIONS: unknown option "apibase", "usr" for plugin twitter (known: no-wait, user, api-base,`},
		{"nested value", map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_OPTIONS": `{"access-token": {"v": "` + secretToken + `"}}`},
			`PODIMPORT_OPTIONS: "access-token": want a string, number or boolean`},
		{"bad no-wait", map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_OPTIONS": `{"no-wait": "sometimes"}`},
			`PODIMPORT_OPTIONS: "no-wait": want true or false`},
		{"account twice", map[string]string{"PODIMPORT_PLUGIN": "twitter", "PODIMPORT_ACCOUNT": "alice", "PODIMPORT_OPTIONS": `{"user": "bob"}`},
			`PODIMPORT_ACCOUNT "alice" and PODIMPORT_OPTIONS "user" disagree`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadJob(envOf(tc.env))
			if err == nil || !errors.Is(err, importer.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrConfig containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "sEcReT") {
				t.Errorf("the error shows a secret: %v", err)
			}
		})
	}
}

func TestLoadPod(t *testing.T) {
	const auth = `{"data": {"nonce": "0123456789abcdef0123456789abcdef0123456789abcdef", "encryptedPermissions": "feedfacefeedface"}}`
	base := map[string]string{
		"POD_FULL_ADDRESS": "http://localhost:3030/",
		"POD_OWNER":        "ownerkey",
		"POD_AUTH_JSON":    auth,
		"POD_PLUGINRUN_ID": "run1",
		"POD_TARGET_ITEM":  `{"type": "PluginRun", "id": "run2"}`,
	}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}

	if pod, err := LoadPod(envOf(nil)); pod != nil || err != nil {
		t.Fatalf("no POD_FULL_ADDRESS: %v, %v; want no pod", pod, err)
	}
	pod, err := LoadPod(envOf(base))
	if err != nil {
		t.Fatal(err)
	}
	if pod.Address != "http://localhost:3030" || pod.Owner != "ownerkey" || pod.RunID != "run1" || pod.PollInterval != 5*time.Second {
		t.Errorf("pod %+v", pod)
	}
	var a map[string]any
	if err := json.Unmarshal(pod.Auth, &a); err != nil || a["type"] != "PluginAuth" || a["data"].(map[string]any)["encryptedPermissions"] != "feedfacefeedface" {
		t.Errorf("auth %s: want POD_AUTH_JSON with type PluginAuth", pod.Auth)
	}

	pod, err = LoadPod(envOf(with("POD_PLUGINRUN_ID", "", "PODIMPORT_POD_POLL_INTERVAL", "250ms")))
	if err != nil || pod.RunID != "run2" || pod.PollInterval != 250*time.Millisecond {
		t.Errorf("run id from POD_TARGET_ITEM: %+v, %v", pod, err)
	}

	// The auth forms: already typed (as is), bare data (wrapped).
	pod, err = LoadPod(envOf(with("POD_AUTH_JSON", `{"type":"PluginAuth","data":{"nonce":"n1"}}`)))
	if err != nil || string(pod.Auth) != `{"type":"PluginAuth","data":{"nonce":"n1"}}` {
		t.Errorf("typed auth: %s, %v", pod.Auth, err)
	}
	pod, err = LoadPod(envOf(with("POD_AUTH_JSON", `{"nonce":"n1","encryptedPermissions":"e1"}`)))
	if err != nil || string(pod.Auth) != `{"data":{"nonce":"n1","encryptedPermissions":"e1"},"type":"PluginAuth"}` {
		t.Errorf("bare auth: %s, %v", pod.Auth, err)
	}

	// A password in the address is one of the pod's secrets, and a bad
	// address's error does not show it.
	pod, err = LoadPod(envOf(with("POD_FULL_ADDRESS", "http://pod:s3cretpw@localhost:3030")))
	if err != nil || !slices.Contains(pod.Secrets, "s3cretpw") {
		t.Errorf("address with a password: secrets %q, %v; want the password among them", pod.Secrets, err)
	}
	if _, err := LoadPod(envOf(with("POD_FULL_ADDRESS", "ftp://pod:s3cretpw@localhost"))); err == nil || strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("error %v: want one without the password", err)
	}

	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{with("POD_OWNER", ""), "POD_OWNER is not set"},
		{with("POD_FULL_ADDRESS", "localhost:3030"), "POD_FULL_ADDRESS"},
		{with("POD_AUTH_JSON", ""), "POD_AUTH_JSON is not set"},
		{with("POD_AUTH_JSON", `{"data": `), "POD_AUTH_JSON: invalid JSON"},
		{with("POD_PLUGINRUN_ID", "", "POD_TARGET_ITEM", ""), "POD_PLUGINRUN_ID is not set, nor POD_TARGET_ITEM"},
		{with("POD_PLUGINRUN_ID", "", "POD_TARGET_ITEM", `{"type": "Person", "id": "p1"}`), `POD_TARGET_ITEM is a "Person", not a PluginRun`},
		{with("POD_PLUGINRUN_ID", "", "POD_TARGET_ITEM", `{"type": "PluginRun"`), "POD_TARGET_ITEM: invalid JSON"},
		{with("PODIMPORT_POD_POLL_INTERVAL", "often"), "PODIMPORT_POD_POLL_INTERVAL"},
	} {
		_, err := LoadPod(envOf(tc.env))
		if err == nil || !errors.Is(err, importer.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want ErrConfig containing %q", err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "feedface") {
			t.Errorf("the error shows the auth: %v", err)
		}
	}
}

func TestRedactor(t *testing.T) {
	r := NewRedactor("abc", "secret-one", "secret-one-longer")
	got := r.String("x secret-one-longer y secret-one z abc")
	if got != "x [REDACTED] y [REDACTED] z abc" {
		t.Errorf("got %q", got)
	}
	var nilR *Redactor
	if nilR.String("secret-one") != "secret-one" {
		t.Error("a nil Redactor should change nothing")
	}
	var b strings.Builder
	w := r.Writer(&b)
	if n, err := w.Write([]byte("token secret-one\n")); n != 17 || err != nil {
		t.Errorf("Write: %d, %v", n, err)
	}
	if b.String() != "token [REDACTED]\n" {
		t.Errorf("writer: %q", b.String())
	}

	// A secret with characters that JSON or a URL escape is found in
	// those forms too: a JSON log line, a status line, a query string.
	odd := `pa"ss\wd<&>é`
	r = NewRedactor(odd)
	for _, html := range []bool{true, false} {
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		enc.SetEscapeHTML(html)
		if err := enc.Encode(map[string]string{"error": "token " + odd + " refused"}); err != nil {
			t.Fatal(err)
		}
		if got, want := r.String(line.String()), `{"error":"token [REDACTED] refused"}`+"\n"; got != want {
			t.Errorf("JSON (HTML escaped %v) %q redacted: %q, want %q", html, line.String(), got, want)
		}
	}
	if got := r.String("?t=" + url.QueryEscape(odd) + "&x=1"); got != "?t=[REDACTED]&x=1" {
		t.Errorf("query string redacted: %q", got)
	}
}
