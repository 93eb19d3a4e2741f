package deploy

// SyncBuffer is a writer safe for the progress display's goroutines, for
// the tests of package deploy_test.
type SyncBuffer = lockedBuilder
