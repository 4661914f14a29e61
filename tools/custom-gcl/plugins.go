package main

import (
	_ "github.com/asynclint/asynclint/plugin"
)
