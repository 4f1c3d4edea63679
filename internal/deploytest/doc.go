// Package deploytest holds tests, and only tests, that check the deployment files at the root
// of the repository against the code: template.yaml (runtime, handler, architecture, timeout,
// one HttpApi event per route the handler serves, the secret policy, parameters, outputs and
// the environment) and README.md's configuration table.
package deploytest
