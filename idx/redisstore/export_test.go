package redisstore

// KeyOf and TokenKeyOf give the tests the Redis keys of a State and a
// token key.
func KeyOf(s *Store, state string) string          { return s.key(state) }
func TokenKeyOf(ts *TokenStore, key string) string { return ts.key(key) }
