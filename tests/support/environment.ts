// Every test file starts from the environment a user's shell would give tapestry. vitest puts
// Vite's own BASE_URL ("/") into process.env, and tapestry reads BASE_URL as the address people
// reach the service at: `serve` refuses "/", and links made with it would not be links. A test that
// wants a BASE_URL sets one.
if (process.env.BASE_URL === '/') delete process.env.BASE_URL;
