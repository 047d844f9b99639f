// Package deploy holds no code: it is the home of the deployment files
// (Dockerfile, compose.yaml, k8s/, helm/, pre-commit.sh) and of the tests
// that validate them and the repository's action.yml and
// .pre-commit-hooks.yaml.
package deploy
