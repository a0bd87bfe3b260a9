// Package storetest checks implementations of [idx.TransactionStore] and
// [idx.TokenStore] against the contract documented in package idx, the way
// testing/fstest checks an fs.FS.
//
// A store's own tests call the suite with a function that returns a new,
// empty store for each subtest:
//
//	func TestStore(t *testing.T) {
//		storetest.TestTransactionStore(t, func(t *testing.T) idx.TransactionStore {
//			return mystore.New(...) // empty; clean it up with t.Cleanup
//		})
//	}
//
// The suite runs its subtests in parallel, so newStore is called from
// several goroutines and the stores it returns may share a backend (one
// Redis, say) as long as each starts empty of the keys the suite uses:
// every State and token key the suite makes up is random.
//
// [TestTransactionStore] checks a save and load round trip of every field,
// that stores hand out copies, unknown and empty States, Delete, expiry,
// the compare-and-set of Save on Version, concurrent load-modify-save loops
// that retry on [idx.ErrTransactionConflict] and lose no update, a large
// Response, many States at once, that errors name no secret, and, given
// [WithTampering], that a value changed behind the store's back loads as
// a transaction not found, never as another one.
// [TestTokenStore] checks the round trip of [idx.Tokens] (secret members
// byte for byte), unknown keys, overwrite and Delete.
//
// Options adapt the suite to a store: [WithClock] replaces sleeping with a
// fake clock, [WithLargeResponseSize] lowers the size of the large value
// for stores with a size budget, [WithTampering] lets the suite change
// what a store keeps outside the process.
package storetest
