package fixes

func WithoutImport() {
	wait(nil)
}
