# The sample API built in one stage and run in a distroless one (Node.js only: no shell, no npm),
# as the course's services are. `npm run course -- sizes` builds it with api/ as context.
ARG BUILD_IMAGE=node:24-trixie-slim
ARG DISTROLESS_IMAGE=gcr.io/distroless/nodejs24-debian13:nonroot

# build: npm, the TypeScript compiler and dev dependencies; none of it ships unless copied below
FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src/ src/
RUN npm run build && npm prune --omit=dev

# runtime: Node.js and the app only; the base image's entry point is node itself
FROM ${DISTROLESS_IMAGE}
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
USER 65532:65532
EXPOSE 8000
CMD ["dist/server.js"]
