package clients

import "fmt"

// SyntaxError says a settings file could not be read as its format, where,
// and that Routex left it as it was: the user fixes it, Routex never guesses.
type SyntaxError struct {
	Path   string
	Line   int
	Column int
	Err    error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: line %d, column %d: %v (the file was left untouched; fix it, or move it away to start fresh)",
		e.Path, e.Line, e.Column, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }
