// Where the examples find Whimsy Space: the only line to change for production (the config.json
// the production app serves). `npm start` serves its own copy of this file naming the local
// cloud's actual address (examples/server.ts), so this default is for other static hosts.
export const configUrl = 'http://127.0.0.1:4301/_whimsy/config.json'
