//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing where the OS has no parent-death signal; the
// engine is stopped when the bench ends normally.
func dieWithParent(*exec.Cmd) {}
