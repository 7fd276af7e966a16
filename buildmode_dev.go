//go:build dev

package main

// devBuild logs to stderr as well as the log file.
const devBuild = true
