package idxtest

import "time"

// This file is what a stateHandle answers after its transaction
// succeeded. Introspecting it answers the success document again, with
// the same interaction code, until the code is redeemed at /v1/token or
// expires: a client that lost the answer to its last step learns that
// the sign-in succeeded. Every other use of the handle, and introspection
// once the code is spent, is answered idx.session.expired.

// succeededTxnLocked refuses a finished transaction to everything but
// introspection: it returns the expired answer when t has succeeded, nil
// otherwise.
func (s *Server) succeededTxnLocked(handle string, t *transaction) *idxResult {
	if t.step != stepSuccess {
		return nil
	}
	res := s.expired(handle, nil)
	return &res
}

// introspectSucceededLocked answers the introspection of a succeeded
// transaction's handle, and reports whether the handle named one. Once the
// interaction code is redeemed or expired, the handle is forgotten.
func (s *Server) introspectSucceededLocked(now time.Time, handle string) (idxResult, bool) {
	t, ok := s.transactions[handle]
	if !ok || handle == "" || t.step != stepSuccess {
		return idxResult{}, false
	}
	ic, live := s.codes[t.successCode]
	if !live || !now.Before(ic.expiresAt) || !now.Before(t.expiresAt) {
		delete(s.transactions, handle)
		return s.expired(handle, nil), true
	}
	return s.answer200(t), true
}
