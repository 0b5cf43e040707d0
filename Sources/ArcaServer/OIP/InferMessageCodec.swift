import Foundation
import Hummingbird

/// Reads an OIP infer request body (JSON, or JSON header + binary tensors) into an
/// ``InferenceRequest`` checked against the model, and writes the response.
struct InferMessageCodec {
    let model: any InferenceModel
    let configuration: ServerConfiguration

    /// Which outputs to return, and which of them as binary data.
    struct OutputSelection {
        var names: [String]?
        var binary: Set<String>
        var binaryByDefault: Bool

        func isBinary(_ name: String) -> Bool { binary.contains(name) || binaryByDefault }
    }

    /// `headerLength` is the `Inference-Header-Content-Length` value, if any.
    func decode(body: ByteBuffer, headerLength: Int?, variant: String) throws -> (InferenceRequest, OutputSelection) {
        let bytes = Array(body.readableBytesView)
        let jsonEnd: Int
        if let headerLength {
            guard headerLength >= 0, headerLength <= bytes.count else {
                throw ServerError.badRequest("Inference-Header-Content-Length \(headerLength) exceeds the body of \(bytes.count) bytes")
            }
            jsonEnd = headerLength
        } else {
            jsonEnd = bytes.count
        }
        let message = try JSONBody.decode(OIPInferRequest.self, from: bytes[0..<jsonEnd], maxDepth: configuration.maxJSONDepth)
        var binary = bytes[jsonEnd...]

        var total = 0
        var inputs: [InferenceTensor] = []
        for input in message.inputs {
            guard let declared = model.inputs.first(where: { $0.name == input.name }) else {
                throw ServerError.badRequest("model '\(model.name)' has no input '\(input.name)'")
            }
            guard !inputs.contains(where: { $0.name == input.name }) else {
                throw ServerError.badRequest("input '\(input.name)' is given twice")
            }
            guard let type = TensorDatatype(rawValue: input.datatype) else {
                throw ServerError.badRequest("input '\(input.name)': unsupported datatype '\(input.datatype)'")
            }
            guard type == declared.datatype else {
                throw ServerError.badRequest("input '\(input.name)': datatype \(type.rawValue), model expects \(declared.datatype.rawValue)")
            }
            guard declared.accepts(shape: input.shape) else {
                throw ServerError.badRequest("input '\(input.name)': shape \(input.shape), model expects \(declared.shape)")
            }
            let count = try TensorCodec.elementCount(input.shape, limit: configuration.maxTensorElements)
            total += count
            guard total <= configuration.maxTensorElements else {
                throw ServerError.tooLarge("inputs exceed the limit of \(configuration.maxTensorElements) elements")
            }
            let data: TensorData
            if let size = input.parameters?["binary_data_size"] {
                guard let n = size.intValue, n >= 0, n <= binary.count else {
                    throw ServerError.badRequest("input '\(input.name)': binary_data_size exceeds the binary data")
                }
                let chunk = binary.prefix(Int(n))
                binary = binary.dropFirst(Int(n))
                data = try TensorCodec.decodeBinary(chunk, as: type, count: count, name: input.name)
            } else {
                guard let json = input.data else { throw ServerError.badRequest("input '\(input.name)' has no data") }
                guard json.count == count else {
                    throw ServerError.badRequest("input '\(input.name)': data holds \(json.count) elements, its shape declares \(count)")
                }
                data = json
            }
            inputs.append(InferenceTensor(name: input.name, shape: input.shape, data: data))
        }
        guard binary.isEmpty else { throw ServerError.badRequest("\(binary.count) bytes of binary data belong to no input") }
        for declared in model.inputs where !inputs.contains(where: { $0.name == declared.name }) {
            throw ServerError.badRequest("missing input '\(declared.name)'")
        }

        var parameters = message.parameters ?? [:]
        let binaryByDefault = parameters.removeValue(forKey: "binary_data_output")?.boolValue ?? false
        var selection = OutputSelection(names: nil, binary: [], binaryByDefault: binaryByDefault)
        if let requested = message.outputs {
            var names: [String] = []
            var binaryNames: Set<String> = []
            for out in requested {
                guard model.outputs.contains(where: { $0.name == out.name }) else {
                    throw ServerError.badRequest("model '\(model.name)' has no output '\(out.name)'")
                }
                names.append(out.name)
                // A per-output `binary_data` overrides the request's `binary_data_output`.
                if out.parameters?["binary_data"]?.boolValue ?? binaryByDefault { binaryNames.insert(out.name) }
            }
            selection = OutputSelection(names: names, binary: binaryNames, binaryByDefault: false)
        }
        let request = InferenceRequest(id: message.id, variant: variant, inputs: inputs, parameters: parameters)
        return (request, selection)
    }

    func encode(_ response: InferenceResponse, request: InferenceRequest, selection: OutputSelection) throws -> Response {
        var outputs = response.outputs
        if let names = selection.names {
            outputs = try names.map { name in
                guard let o = response.outputs.first(where: { $0.name == name }) else {
                    throw ServerError.internal("model '\(model.name)' did not produce output '\(name)'")
                }
                return o
            }
        }
        var binary: [UInt8] = []
        var encoded: [OIPInferResponse.Output] = []
        for o in outputs {
            if selection.isBinary(o.name) {
                let bytes = TensorCodec.encodeBinary(o.data)
                binary.append(contentsOf: bytes)
                encoded.append(.init(name: o.name, shape: o.shape, datatype: o.datatype.rawValue,
                                     parameters: ["binary_data_size": .int(Int64(bytes.count))], data: nil))
            } else {
                encoded.append(.init(name: o.name, shape: o.shape, datatype: o.datatype.rawValue, parameters: nil, data: OIPJSONData(tensor: o.data)))
            }
        }
        let message = OIPInferResponse(model_name: model.name, model_version: request.variant, id: request.id, outputs: encoded)
        let header = try JSONBody.encoder.encode(message)
        var headers: HTTPFields = [.arcaVariant: request.variant]
        var body = ByteBuffer(bytes: header)
        if binary.isEmpty {
            headers[.contentType] = "application/json"
        } else {
            headers[.contentType] = "application/octet-stream"
            headers[.inferenceHeaderContentLength] = String(header.count)
            body.writeBytes(binary)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
