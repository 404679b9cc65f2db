package store

import (
	bolt "go.etcd.io/bbolt"
)

// Group commit. Concurrent Apply calls (an importer's workers, each with a
// page) share one bbolt transaction: while one transaction commits, the
// batches that arrive queue up, and the next transaction takes them all.
// A commit's cost is mostly its fsyncs and the B+tree pages it rewrites,
// which neighbouring records share, so one transaction of several pages
// costs less than one each. No call waits for a timer: a lone Apply
// commits at once, as before.
//
// Every batch still commits whole, with the cursor it advances, and Apply
// returns only after its batch is durable. When a shared transaction
// fails, its batches are retried one transaction each, so that an invalid
// batch fails alone and names itself.

// pending is one Apply call waiting for its batch to commit.
type pending struct {
	runID           uint64
	plugin, account string
	prep            *prepared // the batch, made ready outside the transaction

	applied Applied
	err     error
	done    chan struct{}
}

// committer queues the batches of concurrent Apply calls.
type committer struct {
	// turn is held by the call that commits (a channel, not a mutex, so a
	// waiting call can also see that its batch was committed by another).
	turn chan struct{}
	// q holds the batches no commit has taken yet. It is a one-slot
	// channel used as a lock: receive to take the queue, send to put it
	// back.
	q     chan []*pending
	limit int // most batches per transaction
}

func newCommitter() *committer {
	c := &committer{turn: make(chan struct{}, 1), q: make(chan []*pending, 1), limit: 16}
	c.q <- nil
	return c
}

// apply queues p and returns when its batch has been committed (by this
// call or another) or has failed.
func (c *committer) apply(s *Store, p *pending) (Applied, error) {
	p.done = make(chan struct{})
	c.q <- append(<-c.q, p)
	for {
		select {
		case <-p.done:
			return p.applied, p.err
		case c.turn <- struct{}{}:
			select {
			case <-p.done: // committed by the call that held the turn
				<-c.turn
				return p.applied, p.err
			default:
			}
			queue := <-c.q
			n := min(len(queue), c.limit)
			group := queue[:n:n]
			c.q <- queue[n:]
			s.commit(group)
			<-c.turn
			// A call beyond the limit may have been left in the queue with
			// nobody holding the turn: it is waiting in this same select
			// and takes the turn now.
		}
	}
}

// commit writes group in one transaction, or each batch in its own when
// the shared one fails, and completes every pending call.
func (s *Store) commit(group []*pending) {
	defer func() {
		for _, p := range group {
			close(p.done)
		}
	}()
	if len(group) > 1 {
		var applied []Applied
		err := s.update("nothing from this batch was committed", func(tx *bolt.Tx) error {
			applied = applied[:0]
			now := s.now().UTC()
			for _, p := range group {
				a, err := s.applyTx(tx, now, p)
				if err != nil {
					return err
				}
				applied = append(applied, a)
			}
			return nil
		})
		if err == nil {
			for i, p := range group {
				p.applied = applied[i]
			}
			return
		}
	}
	for _, p := range group {
		p.err = s.update("nothing from this batch was committed", func(tx *bolt.Tx) error {
			a, err := s.applyTx(tx, s.now().UTC(), p)
			p.applied = a
			return err
		})
		if p.err != nil {
			p.applied = Applied{}
		}
	}
}
