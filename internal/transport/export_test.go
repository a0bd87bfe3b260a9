package transport

import "time"

// SetWaitHook makes c call hook with every wait before a retry, as chosen by
// the retry policy, and wait for what hook returns instead. It lets tests
// observe the waits exactly, skip them, or act while Do is about to wait.
// Call it before c is used.
func SetWaitHook(c *Client, hook func(time.Duration) time.Duration) {
	c.waitHook = hook
}
