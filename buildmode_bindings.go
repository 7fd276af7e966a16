//go:build bindings

package main

// generatingBindings is true in the build that only writes frontend/wailsjs.
const generatingBindings = true
