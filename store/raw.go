package store

import (
	"encoding/json"
	"fmt"

	"github.com/golang/snappy"
)

// Raw platform JSON is most of a store's bytes (about 1.3 KiB per tweet),
// and JSON compresses well, so its values (id·r·source in the graph
// bucket) hold it snappy-compressed:
// rawSnappy, then a snappy block. A value that starts with anything else is
// plain JSON (a JSON text never starts with byte 1), which keeps stores
// written before compression readable.
const rawSnappy = 0x01

// encodeRaw returns the stored form of raw JSON. Snappy's encoding is
// deterministic, so equal JSON gives equal bytes and an unchanged raw
// document is recognised without decoding it.
func encodeRaw(raw json.RawMessage) []byte {
	out := make([]byte, 1+snappy.MaxEncodedLen(len(raw)))
	out[0] = rawSnappy
	return out[:1+len(snappy.Encode(out[1:], raw))]
}

// decodeRaw returns the JSON of a stored raw value (a new slice).
func decodeRaw(v []byte) (json.RawMessage, error) {
	if len(v) == 0 || v[0] != rawSnappy {
		return append(json.RawMessage(nil), v...), nil
	}
	out, err := snappy.Decode(nil, v[1:])
	if err != nil {
		return nil, fmt.Errorf("compressed raw JSON: %w", err)
	}
	return out, nil
}
