# The sample API in one stage on the build image (Debian, Node.js and npm): exercise 2's shape
# where Alpine cannot be pulled. `npm run course -- sizes --offline` builds it with api/ as context.
ARG BUILD_IMAGE=node:24-trixie-slim

# one stage: npm, the compiler, every dependency and the sources all ship
FROM ${BUILD_IMAGE}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src/ src/
RUN npm run build
USER node
EXPOSE 8000
CMD ["node", "dist/server.js"]
