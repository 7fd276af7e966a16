// Package authtest is a browser for tests: it opens the sign-in page the app
// asks for, reads the (sandbox's) consent form like a browser, signs in as a
// chosen user, clicks Allow access or Cancel, and follows the redirect to
// the app's loopback callback over real HTTP.
package authtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/net/html"
)

// Browser implements auth.Browser for tests.
type Browser struct {
	HTTP *http.Client

	mu     sync.Mutex
	opened []string
	// OpenErr, if set, is returned by Open (a machine without a browser).
	OpenErr error
}

// New returns a browser that does not follow redirects by itself.
func New() *Browser {
	return &Browser{HTTP: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Open records the URL the app asked to open.
func (b *Browser) Open(_ context.Context, u string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opened = append(b.opened, u)
	return b.OpenErr
}

// Opened lists the URLs opened so far.
func (b *Browser) Opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.opened...)
}

// Last is the URL opened last ("" if none).
func (b *Browser) Last() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.opened) == 0 {
		return ""
	}
	return b.opened[len(b.opened)-1]
}

// Page is a loaded page.
type Page struct {
	Status int
	Body   string
}

// Get loads a page.
func (b *Browser) Get(ctx context.Context, u string) (Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Page{}, err
	}
	resp, err := b.HTTP.Do(req)
	if err != nil {
		return Page{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return Page{Status: resp.StatusCode, Body: string(body)}, err
}

// Consent opens the consent page at authURL, signs in as userID and clicks
// Allow access (allow) or Cancel. It returns where the identity service
// redirects the browser: the app's callback URL (not yet loaded).
func (b *Browser) Consent(ctx context.Context, authURL, userID string, allow bool) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := b.HTTP.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		return resp.Header.Get("Location"), nil // an error sent straight back to the app
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("consent page: HTTP %d: %s", resp.StatusCode, body)
	}
	doc, err := html.Parse(resp.Body)
	if err != nil {
		return "", err
	}
	form := find(doc, func(n *html.Node) bool { return n.Data == "form" && strings.EqualFold(attr(n, "method"), "post") })
	if form == nil {
		return "", errors.New("consent page has no form")
	}
	vals := url.Values{}
	users := []string{}
	walk(form, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "input" {
			return
		}
		switch attr(n, "type") {
		case "hidden":
			vals.Set(attr(n, "name"), attr(n, "value"))
		case "radio":
			if attr(n, "name") == "user" {
				users = append(users, attr(n, "value"))
			}
		}
	})
	offered := false
	for _, u := range users {
		offered = offered || u == userID
	}
	if !offered {
		return "", fmt.Errorf("user %s is not offered on the consent page (offered: %v)", userID, users)
	}
	vals.Set("user", userID)
	decision := "deny"
	if allow {
		decision = "allow"
	}
	if find(form, func(n *html.Node) bool {
		return n.Data == "button" && attr(n, "name") == "decision" && attr(n, "value") == decision
	}) == nil {
		return "", fmt.Errorf("consent page has no %s button", decision)
	}
	vals.Set("decision", decision)
	action, err := resp.Request.URL.Parse(attr(form, "action"))
	if err != nil {
		return "", err
	}
	preq, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
	if err != nil {
		return "", err
	}
	preq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	presp, err := b.HTTP.Do(preq)
	if err != nil {
		return "", err
	}
	defer presp.Body.Close()
	if presp.StatusCode/100 != 3 {
		body, _ := io.ReadAll(presp.Body)
		return "", fmt.Errorf("consent answer: HTTP %d: %s", presp.StatusCode, body)
	}
	return presp.Header.Get("Location"), nil
}

// SignIn is Consent followed by loading the callback, like a browser.
func (b *Browser) SignIn(ctx context.Context, authURL, userID string, allow bool) (Page, error) {
	cb, err := b.Consent(ctx, authURL, userID, allow)
	if err != nil {
		return Page{}, err
	}
	return b.Get(ctx, cb)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func find(n *html.Node, pred func(*html.Node) bool) *html.Node {
	var out *html.Node
	walk(n, func(x *html.Node) {
		if out == nil && x.Type == html.ElementNode && pred(x) {
			out = x
		}
	})
	return out
}
