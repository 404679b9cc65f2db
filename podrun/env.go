// Package podrun runs one import the way a host pod launches it: the whole
// job comes from the environment (the plugin, its options and credentials,
// the store folder, and the memri pod's launch variables), progress goes to
// the pod's PluginRun item and to stdout as JSON lines, and the pod can abort
// the run by setting the PluginRun's status to "aborted".
//
// The environment contract:
//
//	PODIMPORT_PLUGIN    the plugin ("twitter", "twitter-archive", …); required
//	PODIMPORT_ACCOUNT   the account to import: fills the plugin's account option
//	PODIMPORT_STORE     the store folder (default /data)
//	PODIMPORT_OPTIONS   JSON object of the plugin's options, named as the CLI
//	                    flags without dashes: {"api-base": "…", "followings-tweets": 5};
//	                    numbers and booleans are taken as their text; "no-wait": true
//	                    stops at a spent rate-limit window (exit code 4)
//	TWITTER_* …         a plugin's credentials, read from the option's
//	                    environment variables when PODIMPORT_OPTIONS does not name them
//
//	POD_FULL_ADDRESS    the pod's URL; when set, progress is reported to it
//	POD_OWNER           the pod owner (the path segment of the pod's v4 API)
//	POD_AUTH_JSON       the plugin authorization, passed back unchanged
//	POD_PLUGINRUN_ID    the PluginRun item to report on; else the id of
//	                    POD_TARGET_ITEM when that item's type is "PluginRun"
//	POD_TARGET_ITEM     JSON of the item the pod started the plugin for
//
//	PODIMPORT_POD_POLL_INTERVAL  how often the PluginRun is read for an abort (default 5s)
//
// The memri pod sets POD_FULL_ADDRESS, POD_TARGET_ITEM, POD_PLUGINRUN_ID,
// POD_OWNER and POD_AUTH_JSON when it starts a plugin container
// (gitlab.memri.io/memri/pod src/plugin_run.rs, run_docker_container, and
// docs/Plugins.md "How are plugins started"); pymemri reads the same names
// (pymemri/plugin/constants.py).
package podrun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/podimport/podimport/importer"
)

// Environment variable names.
const (
	EnvPlugin       = "PODIMPORT_PLUGIN"
	EnvAccount      = "PODIMPORT_ACCOUNT"
	EnvStore        = "PODIMPORT_STORE"
	EnvOptions      = "PODIMPORT_OPTIONS"
	EnvPollInterval = "PODIMPORT_POD_POLL_INTERVAL"

	EnvPodAddress  = "POD_FULL_ADDRESS"
	EnvPodOwner    = "POD_OWNER"
	EnvPodAuth     = "POD_AUTH_JSON"
	EnvPodRunID    = "POD_PLUGINRUN_ID"
	EnvPodTarget   = "POD_TARGET_ITEM"
	DefaultStore   = "/data"
	optionNoWait   = "no-wait"
	pluginRunType  = "PluginRun"
	minSecretChars = 4
)

// Getenv reads one environment variable; os.Getenv in production.
type Getenv func(name string) string

// Job is what PODIMPORT_* describe: one plugin's import of one account.
type Job struct {
	Plugin importer.Plugin
	Values importer.Values
	// Store is PODIMPORT_STORE, else DefaultStore.
	Store string
	// NoWait comes from PODIMPORT_OPTIONS {"no-wait": true}.
	NoWait bool
	// Secrets are the values of the plugin's secret options, for Redactor.
	Secrets []string
}

// LoadJob reads the job from the environment. Errors wrap importer.ErrConfig
// and name the variable (and option) at fault; they never quote a secret.
func LoadJob(getenv Getenv) (*Job, error) {
	name := strings.TrimSpace(getenv(EnvPlugin))
	if name == "" {
		return nil, configError("%s is not set (one of: %s)", EnvPlugin, pluginNames())
	}
	p, ok := importer.Lookup(name)
	if !ok {
		return nil, configError("%s: unknown plugin %q (one of: %s)", EnvPlugin, name, pluginNames())
	}
	given, noWait, err := parseOptions(getenv(EnvOptions), p)
	if err != nil {
		return nil, err
	}

	j := &Job{Plugin: p, Values: importer.Values{}, Store: getenv(EnvStore), NoWait: noWait}
	if j.Store == "" {
		j.Store = DefaultStore
	}
	for _, o := range p.Options() {
		v, ok := given[o.Name]
		if !ok {
			for _, env := range o.EnvVars {
				if v = getenv(env); v != "" {
					ok = true
					break
				}
			}
		}
		if !ok {
			v = o.Default
		}
		j.Values[o.Name] = v
		if o.Secret && v != "" {
			j.Secrets = append(j.Secrets, v)
		}
	}
	if acct := strings.TrimSpace(getenv(EnvAccount)); acct != "" {
		opt := importer.AccountOption(p)
		if opt == "" {
			return nil, configError("%s: plugin %s does not take an account", EnvAccount, p.Name())
		}
		if v, ok := given[opt]; ok && v != acct {
			return nil, configError("%s %q and %s %q disagree; set one", EnvAccount, acct, EnvOptions, opt)
		}
		j.Values[opt] = acct
	}
	return j, nil
}

// checkRequired refuses a job that lacks a required option. It is said
// here, naming the variables: the plugin's own message names the CLI's
// flag, which pod-run does not have.
func (j *Job) checkRequired() error {
	for _, o := range j.Plugin.Options() {
		if !o.Required || j.Values[o.Name] != "" {
			continue
		}
		if len(o.EnvVars) == 0 {
			return configError("%s: %q is missing (%s)", EnvOptions, o.Name, o.Usage)
		}
		return configError("%s is not set, nor %q in %s", strings.Join(o.EnvVars, " or "), o.Name, EnvOptions)
	}
	return nil
}

// parseOptions reads PODIMPORT_OPTIONS: a JSON object whose keys are p's
// option names (plus "no-wait") and whose values are strings, numbers or
// booleans. null leaves an option unset.
func parseOptions(raw string, p importer.Plugin) (map[string]string, bool, error) {
	out := map[string]string{}
	if strings.TrimSpace(raw) == "" {
		return out, false, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, false, jsonError(raw, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false, configError("%s: invalid JSON: more after the object at byte %d", EnvOptions, dec.InputOffset())
	}
	if m == nil {
		return nil, false, configError("%s: want a JSON object", EnvOptions)
	}
	known := map[string]importer.Option{}
	for _, o := range p.Options() {
		known[o.Name] = o
	}
	var unknown []string
	noWait := false
	for k, v := range m {
		if _, isOpt := known[k]; !isOpt && k != optionNoWait {
			unknown = append(unknown, strconv.Quote(k))
			continue
		}
		var s string
		switch v := v.(type) {
		case nil:
			continue
		case string:
			s = v
		case json.Number:
			s = v.String()
		case bool:
			s = strconv.FormatBool(v)
		default:
			// Never quote the value: it may be a secret.
			return nil, false, configError("%s: %q: want a string, number or boolean", EnvOptions, k)
		}
		if k == optionNoWait {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, false, configError("%s: %q: want true or false", EnvOptions, k)
			}
			noWait = b
			continue
		}
		out[k] = s
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		names := []string{optionNoWait}
		for _, o := range p.Options() {
			names = append(names, o.Name)
		}
		return nil, false, configError("%s: unknown option %s for plugin %s (known: %s)",
			EnvOptions, strings.Join(unknown, ", "), p.Name(), strings.Join(names, ", "))
	}
	return out, noWait, nil
}

// jsonError says where PODIMPORT_OPTIONS stops being JSON without quoting
// it: the text may hold secrets.
func jsonError(raw string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(raw, syn.Offset)
		return configError("%s: invalid JSON at byte %d (line %d, column %d)", EnvOptions, syn.Offset, line, col)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return configError("%s: invalid JSON at byte %d: unexpected end", EnvOptions, len(raw))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return configError("%s: want a JSON object, not %s", EnvOptions, typ.Value)
		}
		return configError("%s: %q: want a string, number or boolean", EnvOptions, typ.Field)
	}
	return configError("%s: invalid JSON", EnvOptions)
}

// position turns a byte offset (just after the bad byte, as
// json.SyntaxError counts) into a 1-based line and column.
func position(s string, off int64) (line, col int) {
	if off > int64(len(s)) {
		off = int64(len(s))
	}
	before := s[:max(off-1, 0)]
	line = strings.Count(before, "\n") + 1
	col = len(before) - strings.LastIndexByte(before, '\n')
	return line, col
}

func pluginNames() string {
	var names []string
	for _, p := range importer.Plugins() {
		names = append(names, p.Name())
	}
	return strings.Join(names, ", ")
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", importer.ErrConfig, fmt.Sprintf(format, args...))
}

// Pod is where and as what a run reports to a memri pod.
type Pod struct {
	// Address is POD_FULL_ADDRESS without a trailing slash.
	Address string
	// Owner is POD_OWNER.
	Owner string
	// RunID is the id of the PluginRun item: POD_PLUGINRUN_ID, else the id
	// of POD_TARGET_ITEM when it is a PluginRun.
	RunID string
	// Auth is the "auth" object of every request, built from POD_AUTH_JSON.
	Auth json.RawMessage
	// PollInterval is how often the PluginRun is read to notice an abort.
	PollInterval time.Duration
	// Secrets are the strings of POD_AUTH_JSON, for Redactor.
	Secrets []string
}

// LoadPod reads the pod's launch variables. It returns nil, nil when
// POD_FULL_ADDRESS is not set: the run is not launched by a pod.
func LoadPod(getenv Getenv) (*Pod, error) {
	addr := strings.TrimRight(strings.TrimSpace(getenv(EnvPodAddress)), "/")
	if addr == "" {
		return nil, nil
	}
	// A password in the address (http://user:password@host) is a secret:
	// it is redacted from errors, and from logs with the auth's strings.
	var addrSecrets []string
	if u, err := url.Parse(addr); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			addrSecrets = append(addrSecrets, pw)
		}
		addrSecrets = append(addrSecrets, u.User.String())
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return nil, configError("%s %q: want an http:// or https:// URL", EnvPodAddress, NewRedactor(addrSecrets...).String(addr))
	}
	pod := &Pod{Address: addr, Owner: strings.TrimSpace(getenv(EnvPodOwner)), PollInterval: 5 * time.Second}
	if pod.Owner == "" {
		return nil, configError("%s is not set (needed with %s)", EnvPodOwner, EnvPodAddress)
	}
	if strings.ContainsAny(pod.Owner, "/?#") {
		return nil, configError("%s: not a path segment", EnvPodOwner)
	}

	pod.RunID = strings.TrimSpace(getenv(EnvPodRunID))
	if pod.RunID == "" {
		target := getenv(EnvPodTarget)
		if strings.TrimSpace(target) == "" {
			return nil, configError("%s is not set, nor %s (needed with %s)", EnvPodRunID, EnvPodTarget, EnvPodAddress)
		}
		var item struct {
			ID   json.RawMessage `json:"id"`
			Type string          `json:"type"`
		}
		if err := json.Unmarshal([]byte(target), &item); err != nil {
			return nil, configError("%s: invalid JSON", EnvPodTarget)
		}
		if item.Type != pluginRunType {
			return nil, configError("%s is not set and %s is a %q, not a %s", EnvPodRunID, EnvPodTarget, item.Type, pluginRunType)
		}
		var id string
		if err := json.Unmarshal(item.ID, &id); err != nil || id == "" {
			return nil, configError("%s: the PluginRun has no string \"id\"", EnvPodTarget)
		}
		pod.RunID = id
	}

	auth, secrets, err := pluginAuth(getenv(EnvPodAuth))
	if err != nil {
		return nil, err
	}
	pod.Auth, pod.Secrets = auth, append(secrets, addrSecrets...)

	if s := getenv(EnvPollInterval); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, configError("%s %q: want a positive duration such as 5s", EnvPollInterval, s)
		}
		pod.PollInterval = d
	}
	return pod, nil
}

// pluginAuth builds the request's "auth" object from POD_AUTH_JSON without
// changing what the pod gave.
//
// The pod serializes its PluginAuth struct, {"data": {"nonce": …,
// "encryptedPermissions": …}} (memri pod src/plugin_run.rs: auth =
// database_key.create_plugin_auth(); src/api_model.rs: PluginAuth{data}),
// and reads requests' "auth" as the tagged enum AuthKey, {"type":
// "PluginAuth", "data": …}. pymemri does the same: {"type": "PluginAuth",
// **auth_json} (pymemri/pod/api.py, PodAPI._create_auth). So: an object
// that already has "type" is sent as it is; one with "data" gets "type":
// "PluginAuth" beside its own keys; any other JSON becomes the "data".
func pluginAuth(raw string) (json.RawMessage, []string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil, configError("%s is not set (needed with %s)", EnvPodAuth, EnvPodAddress)
	}
	if !json.Valid([]byte(raw)) {
		return nil, nil, configError("%s: invalid JSON", EnvPodAuth)
	}
	secrets := []string{strings.TrimSpace(raw)}
	collectStrings(json.RawMessage(raw), &secrets)

	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err == nil && obj != nil {
		if _, ok := obj["type"]; ok {
			return compact(raw), secrets, nil
		}
		if _, ok := obj["data"]; ok {
			obj["type"] = json.RawMessage(`"PluginAuth"`)
			b, err := json.Marshal(obj)
			return b, secrets, err
		}
	}
	b, err := json.Marshal(map[string]json.RawMessage{"type": json.RawMessage(`"PluginAuth"`), "data": compact(raw)})
	return b, secrets, err
}

func compact(raw string) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(raw)); err != nil {
		return json.RawMessage(raw)
	}
	return buf.Bytes()
}

// collectStrings appends every string in a JSON document.
func collectStrings(raw json.RawMessage, out *[]string) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			*out = append(*out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
}
