package model

// dynamicImport reports whether name is bound from an awaited dynamic
// import of the analyzed file (`const { getDb } = await import('./db')`,
// `const db = await import('./db')`): the binding is the module's export,
// which the module graph follows like a static import's.
func (a *analyzer) dynamicImport(name string) bool {
	_, ok := a.f.DynamicImportOf(name)
	return ok
}
