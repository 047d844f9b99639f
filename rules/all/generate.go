package all

//go:generate go run ./gendocs ../../docs/rules
