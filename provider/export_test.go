package provider

// SkipPreflight makes e send a Blueprint to its driver without the
// preflight, so that a test can show the driver's own refusal.
func SkipPreflight(e *Engine) { e.noPreflight = true }
