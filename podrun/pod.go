package podrun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// PluginRun statuses this package writes or reads.
const (
	PodStarted = "started"
	PodDone    = "done"
	PodError   = "error"
	PodAborted = "aborted" // set by the pod (its user) to stop the run
)

// Client calls a memri pod's v4 item API as a plugin.
//
// Every call is POST {POD_FULL_ADDRESS}/v4/{POD_OWNER}/{endpoint} with the
// body {"auth": <PluginAuth>, "payload": …}: the pod's PayloadWrapper
// (memri pod src/api_model.rs) behind its warp routes
// path!(String / "update_item") and path!(String / "get_item")
// (src/warp_api.rs), as pymemri's PodAPI.post sends it
// (pymemri/pod/api.py: base_url = f"{url}/{version}/{owner_key}", version
// "v4"). update_item takes the item's "id" and the properties to change
// (UpdateItem{id, #[serde(flatten)] fields}) and answers {}; get_item takes
// the id as a bare string and answers a list of items (empty when none).
// The PluginRun's properties are "status", "progress" (a float) and
// "error" (pymemri's central schema, class PluginRun); a pymemri plugin
// watches for status "aborted" (pymemri/plugin/listeners.py,
// get_abort_plugin_listener, every 5 seconds).
type Client struct {
	pod    *Pod
	http   *http.Client
	redact *Redactor
}

// NewClient returns a client for pod. hc nil means a client with a 15 s
// timeout per request.
func NewClient(pod *Pod, hc *http.Client, redact *Redactor) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &Client{pod: pod, http: hc, redact: redact}
}

// UpdateRun sets properties of the PluginRun item.
func (c *Client) UpdateRun(ctx context.Context, fields map[string]any) error {
	payload := map[string]any{"id": c.pod.RunID}
	for k, v := range fields {
		if k != "id" {
			payload[k] = v
		}
	}
	_, err := c.post(ctx, "update_item", payload)
	return err
}

// RunStatus reads the PluginRun item's status.
func (c *Client) RunStatus(ctx context.Context) (string, error) {
	body, err := c.post(ctx, "get_item", c.pod.RunID)
	if err != nil {
		return "", err
	}
	type item struct {
		Status string `json:"status"`
	}
	var items []item
	if err := json.Unmarshal(body, &items); err != nil {
		// Also take a bare object, should a pod answer with one.
		var one item
		if err2 := json.Unmarshal(body, &one); err2 != nil {
			return "", fmt.Errorf("pod get_item: unexpected answer: %w", err)
		}
		return one.Status, nil
	}
	if len(items) == 0 {
		return "", fmt.Errorf("pod get_item: PluginRun %s not found", c.pod.RunID)
	}
	return items[0].Status, nil
}

// HTTPError is an answer other than 200 from the pod.
type HTTPError struct {
	Endpoint   string
	StatusCode int
	Body       string // at most 200 bytes, redacted
}

func (e *HTTPError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("pod %s: HTTP %d", e.Endpoint, e.StatusCode)
	}
	return fmt.Sprintf("pod %s: HTTP %d: %s", e.Endpoint, e.StatusCode, e.Body)
}

func (c *Client) post(ctx context.Context, endpoint string, payload any) ([]byte, error) {
	body, err := json.Marshal(struct {
		Auth    json.RawMessage `json:"auth"`
		Payload any             `json:"payload"`
	}{c.pod.Auth, payload})
	if err != nil {
		return nil, err
	}
	u := c.pod.Address + "/v4/" + url.PathEscape(c.pod.Owner) + "/" + endpoint
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error quotes the URL, which holds no secret (the owner is
		// an identifier, not a key); redact anyway.
		return nil, fmt.Errorf("pod %s: %s", endpoint, c.redact.String(err.Error()))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("pod %s: reading the answer: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		// Redacted before it is cut, so no part of a secret is left.
		snippet := c.redact.String(strings.TrimSpace(string(data)))
		if len(snippet) > 200 {
			snippet = strings.ToValidUTF8(snippet[:200], "")
		}
		return nil, &HTTPError{Endpoint: endpoint, StatusCode: resp.StatusCode, Body: snippet}
	}
	return data, nil
}
