// Command structura is the Structura desktop app (Wails v2) and its
// command-line entry: with no command it opens the window; `version`,
// `help` and `sandbox` run headless.
package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"structura/backend/cli"
	"structura/backend/core"
)

//go:embed all:frontend/dist
var assets embed.FS

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cmd, err := cli.Parse(args)
	if err != nil && !generatingBindings {
		cli.PrintUsageError(os.Stderr, err)
		return 2
	}
	switch cmd.Name {
	case "version":
		fmt.Printf("structura %s\n", version)
		return 0
	case "help":
		fmt.Print(cli.Usage)
		return 0
	case "sandbox":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		if err := runSandbox(ctx, cmd.Args, os.Stdout); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(os.Stderr, "structura sandbox: %v\n", err)
			return 1
		}
		return 0
	}
	return runWindow(cmd)
}

func runWindow(cmd cli.Command) int {
	app := NewApp()
	if !generatingBindings {
		be, err := core.Start(context.Background(), core.Config{DataDir: cmd.DataDir, Version: version, Dev: devBuild})
		if err != nil {
			// The window still opens, on a screen that explains the problem.
			app.startErr = err
			fmt.Fprintf(os.Stderr, "structura: %v\n", err)
		} else {
			app.be = be
			defer be.Close()
		}
	}
	err := wails.Run(&options.App{
		Title:            "Structura",
		Width:            1280,
		Height:           800,
		MinWidth:         960,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 248, G: 249, B: 251, A: 1},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		Bind:             []any{app},
		Linux:            &linux.Options{ProgramName: "structura"},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "structura: the window could not open: %v\n", err)
		return 1
	}
	return 0
}
