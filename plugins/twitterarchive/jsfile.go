package twitterarchive

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// The data files of an archive are JavaScript: `window.YTD.tweets.part0 =
// [ … ]` (or `window.__THAR_CONFIG = { … }` for the manifest). A jsReader
// skips everything up to the first '=' and decodes the array one item at a
// time, so that a file of any size is read in constant memory.
type jsReader struct {
	name   string
	f      fs.File
	cr     *countingReader
	dec    *json.Decoder
	prefix int64 // bytes before the JSON value
	item   int   // items returned so far
	done   bool
}

// countingReader counts the bytes read through it, for error positions.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// maxPrefix bounds the bytes searched for the '=' of the prefix.
const maxPrefix = 4096

// openJS opens a data file and positions the decoder at its JSON value.
func openJS(fsys fs.FS, name string) (*jsReader, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := &jsReader{name: name, f: f}
	br := bufio.NewReaderSize(f, 64<<10)
	if err := r.skipPrefix(br); err != nil {
		f.Close()
		return nil, err
	}
	r.cr = &countingReader{r: br}
	r.dec = json.NewDecoder(r.cr)
	return r, nil
}

// skipPrefix consumes `window.YTD.x.part0 =`. A file that starts with JSON
// (an archive someone converted) has no prefix.
func (r *jsReader) skipPrefix(br *bufio.Reader) error {
	head, err := br.Peek(maxPrefix)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return r.readErr(err, int64(len(head)))
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{') {
		// The spaces and byte order mark before it are skipped: the JSON
		// decoder takes a byte order mark for a character.
		n := len(head) - len(trimmed)
		if _, err := br.Discard(n); err != nil {
			return r.readErr(err, 0)
		}
		r.prefix = int64(n)
		return nil
	}
	i := bytes.IndexByte(head, '=')
	if i < 0 {
		if len(head) == 0 {
			return fmt.Errorf("%s: the file is empty (the archive is damaged)", r.name)
		}
		return fmt.Errorf("%s: not an archive data file: no `window.YTD.… =` in its first %d bytes", r.name, len(head))
	}
	if _, err := br.Discard(i + 1); err != nil {
		return r.readErr(err, 0)
	}
	r.prefix = int64(i + 1)
	return nil
}

// offset is the position of the decoder in the file, in bytes.
func (r *jsReader) offset() int64 { return r.prefix + r.dec.InputOffset() }

// Next returns the raw JSON of the next item of the array, and io.EOF after
// the last. A file cut short or not valid JSON gives an error that names
// the file, the item and the byte where reading stopped.
func (r *jsReader) Next() (json.RawMessage, error) {
	if r.done {
		return nil, io.EOF
	}
	if r.item == 0 {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, r.jsonErr(err, "the start of the list")
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return nil, fmt.Errorf("%s: byte %d: want a list of items after `=`, found %v", r.name, r.offset(), tok)
		}
	}
	if !r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, r.jsonErr(err, fmt.Sprintf("the end of the list, after item %d", r.item))
		}
		if d, ok := tok.(json.Delim); !ok || d != ']' {
			return nil, fmt.Errorf("%s: byte %d: after item %d: want , or ], found %v", r.name, r.offset(), r.item, tok)
		}
		r.done = true
		if err := r.drain(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		return nil, r.valueErr(err, fmt.Sprintf("item %d", r.item+1))
	}
	r.item++
	return raw, nil
}

// Skip reads past n items without returning them (a resumed import).
func (r *jsReader) Skip(n int) error {
	for range n {
		if _, err := r.Next(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
	return nil
}

func (r *jsReader) Close() error { return r.f.Close() }

// jsonErr explains a decoding error: where, and whether the file was cut
// short (the usual damage: an interrupted download or extraction).
func (r *jsReader) jsonErr(err error, where string) error {
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("%s: the file ends in the middle of %s, at byte %d: it was cut short (re-download or re-extract the archive)",
			r.name, where, r.prefix+r.cr.n)
	case errors.As(err, &syn):
		return fmt.Errorf("%s: %s, near byte %d: not valid JSON: %v", r.name, where, r.offset(), err)
	}
	return r.readErr(err, r.offset())
}

// valueErr is jsonErr for an error of Decode, said at the bad byte rather
// than at the start of its item (a tweet is a few kilobytes). The offset of
// Decode's syntax errors counts every byte the decoder has scanned since it
// was made, so it cannot be used as it is; but the decoder stays at the
// value's start, and the bytes of the value it has read, the bad one
// included, are still in its buffer: scanned again, they give the bad
// byte's place in the value.
func (r *jsReader) valueErr(err error, where string) error {
	var syn, again *json.SyntaxError
	if !errors.As(err, &syn) {
		return r.jsonErr(err, where)
	}
	at := r.offset()
	buf, _ := io.ReadAll(r.dec.Buffered())
	var v any
	if errors.As(json.Unmarshal(buf, &v), &again) && again.Error() == syn.Error() && again.Offset > 0 {
		at += again.Offset - 1
	}
	return fmt.Errorf("%s: %s, near byte %d: not valid JSON: %v", r.name, where, at, err)
}

// drain reads the file to its end once its JSON value is read: a zip
// entry's checksum is checked only there, and a damaged entry whose bytes
// still make valid JSON would otherwise be imported as it is.
func (r *jsReader) drain() error {
	if _, err := io.Copy(io.Discard, r.cr); err != nil {
		return r.readErr(err, r.prefix+r.cr.n)
	}
	return nil
}

// readErr reports an error of the underlying file (a damaged zip entry
// fails its checksum at the end of the entry, or its decompression).
func (r *jsReader) readErr(err error, at int64) error {
	return fmt.Errorf("%s: reading at byte %d: %w; the archive is damaged (download it again, or extract it again)", r.name, at, err)
}

// readObject decodes a file holding one object after its prefix (the
// manifest). It is small; it is still decoded from the stream.
func readObject(fsys fs.FS, name string, v any) error {
	r, err := openJS(fsys, name)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.dec.Decode(v); err != nil {
		return r.valueErr(err, "its object")
	}
	return r.drain()
}

// unwrap returns the object inside an item of the form {"<key>": {…}}, and
// the item itself when it is not wrapped (older archives).
func unwrap(raw json.RawMessage, key string) json.RawMessage {
	b := bytes.TrimLeft(raw, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return raw
	}
	b = bytes.TrimLeft(b[1:], " \t\r\n")
	if len(b) < len(key)+2 || b[0] != '"' || string(b[1:1+len(key)]) != key || b[1+len(key)] != '"' {
		return raw
	}
	b = bytes.TrimLeft(b[len(key)+2:], " \t\r\n")
	if len(b) == 0 || b[0] != ':' {
		return raw
	}
	b = bytes.TrimLeft(b[1:], " \t\r\n")
	end := valueEnd(b)
	if end < 0 {
		return raw
	}
	if rest := bytes.TrimSpace(b[end:]); len(rest) != 1 || rest[0] != '}' {
		return raw // another key follows: the item is the object itself
	}
	return b[:end]
}

// valueEnd returns the length of the object or array at the start of b,
// which is valid JSON (the decoder has checked it), or -1. It only counts
// brackets outside strings: much cheaper than decoding it again.
func valueEnd(b []byte) int {
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return -1
	}
	depth, in, esc := 0, false, false
	for i, c := range b {
		switch {
		case in:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				in = false
			}
		case c == '"':
			in = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}
