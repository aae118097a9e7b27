package oidcop

import "golang.org/x/text/language"

var viTag = language.Vietnamese
