"""The directors' portal: thin function views over the services of this app, one module
per area (schools and children, visits, campaigns, policy cards, mentoring, jobs);
`portal` holds what they share, above all the access checks."""
